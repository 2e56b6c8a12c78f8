import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { EdgeplaneError } from '../errors';
import { KyselyRepository } from './kysely-repository';
import { migrationProvider } from './migrations';
import { withStatementCache } from './statement-cache';
import type { Database } from './tables';

export type { FastlyAccount, Repository, StoredService } from './repository';

/**
 * Opens the SQLite store at `dbPath` (`:memory:` allowed) and brings its schema up to date.
 * WAL and a busy timeout let several worker processes share one file.
 */
export async function openStore(dbPath: string): Promise<KyselyRepository> {
  const sqlite = new SqliteDatabase(dbPath);
  sqlite.pragma('busy_timeout = 5000');
  if (dbPath !== ':memory:') sqlite.pragma('journal_mode = WAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new EdgeplaneError('internal', `could not migrate the database ${dbPath}`, { cause: error });
  }
  return new KyselyRepository(db, () => db.destroy());
}
