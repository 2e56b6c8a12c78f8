import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import { storeFailure } from './failure';
import { KyselyRepository } from './kysely-repository';
import { migrateStore } from './migrate';
import { withStatementCache } from './statement-cache';
import type { Database } from './tables';
import { walCommitMark } from './wal-commits';

/** How long a write waits for another process's lock before it fails as `store_unavailable`. */
const BUSY_TIMEOUT_MS = 5000;
/** The readiness probe waits less: it only asks whether a write could start now. */
const PROBE_BUSY_TIMEOUT_MS = 250;

/**
 * Kysely's SQLite adapter takes no lock for migrating, as one connection is all it knows of: two
 * processes starting on a new file would both create the tables. Here the migrations run in one
 * write transaction, so a second process waits for the first and then finds them done.
 */
class MigrationLockingAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`begin immediate`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`commit`.execute(db);
  }
}

class MigrationLockingDialect extends SqliteDialect {
  override createAdapter() {
    return new MigrationLockingAdapter();
  }
}

/**
 * Opens the SQLite store at `dbPath` (`:memory:` allowed) and brings its schema up to date.
 * WAL and a busy timeout let several worker processes share one file. A file that is damaged,
 * locked or cannot be opened fails as `store_unavailable` naming its path.
 */
export async function openSqliteStore(dbPath: string): Promise<KyselyRepository> {
  let sqlite: SqliteDatabase.Database | undefined;
  let wal = false;
  try {
    sqlite = new SqliteDatabase(dbPath);
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (dbPath !== ':memory:') wal = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  } catch (error) {
    sqlite?.close();
    throw storeFailure(error, `the database ${dbPath}`) ?? error;
  }
  const raw = sqlite;
  const db = new Kysely<Database>({ dialect: new MigrationLockingDialect({ database: withStatementCache(raw) }) });
  await migrateStore(db, `the database ${dbPath}`);
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
  // The -shm file exists while this connection is open in WAL mode, so it is opened after it.
  const commitMark = wal ? walCommitMark(dbPath) : undefined;
  const close = async () => {
    commitMark?.close();
    await db.destroy();
  };
  return new KyselyRepository(db, { engine: 'sqlite', close, probeWrite, ...(commitMark ? { commitMark } : {}) });
}
