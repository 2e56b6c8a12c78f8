import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { EdgeplaneError } from '../errors';
import { storeFailure } from './failure';
import { KyselyRepository } from './kysely-repository';
import { migrationProvider } from './migrations';
import { withStatementCache } from './statement-cache';
import type { Database } from './tables';

export type { FastlyAccount, Repository, StoredService } from './repository';
export { storeFailure } from './failure';

/** How long a write waits for another process's lock before it fails as `store_unavailable`. */
const BUSY_TIMEOUT_MS = 5000;
/** The readiness probe waits less: it only asks whether a write could start now. */
const PROBE_BUSY_TIMEOUT_MS = 250;

/**
 * Opens the SQLite store at `dbPath` (`:memory:` allowed) and brings its schema up to date.
 * WAL and a busy timeout let several worker processes share one file. A file that is damaged,
 * locked or cannot be opened fails as `store_unavailable` naming its path.
 */
export async function openStore(dbPath: string): Promise<KyselyRepository> {
  let sqlite: SqliteDatabase.Database | undefined;
  try {
    sqlite = new SqliteDatabase(dbPath);
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (dbPath !== ':memory:') sqlite.pragma('journal_mode = WAL');
  } catch (error) {
    sqlite?.close();
    throw storeFailure(error, `the database ${dbPath}`) ?? error;
  }
  const raw = sqlite;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw storeFailure(error, `the database ${dbPath}`) ?? new EdgeplaneError('internal', `could not migrate the database ${dbPath}`, { cause: error });
  }
  // Takes and gives back the write lock, holding kysely's one connection so that no transaction
  // of ours is open on it meanwhile.
  const probeWrite = () =>
    db.connection().execute(async () => {
      raw.pragma(`busy_timeout = ${PROBE_BUSY_TIMEOUT_MS}`);
      try {
        raw.exec('BEGIN IMMEDIATE');
        raw.exec('ROLLBACK');
      } finally {
        raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
    });
  return new KyselyRepository(db, () => db.destroy(), probeWrite);
}
