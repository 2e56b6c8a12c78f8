import type { KyselyRepository } from './kysely-repository';
import { isPostgresUrl } from './location';
import { openPostgresStore, type PostgresStoreOptions } from './postgres-store';
import { openSqliteStore } from './sqlite-store';

export { storeFailure } from './failure';
export type { FastlyAccount, Lease, Repository, StoredService } from './repository';

/**
 * Opens the store at `location` and brings its schema up to date: a `postgres://` (or
 * `postgresql://`) URL is a PostgreSQL database, anything else a SQLite file (`:memory:` allowed).
 */
export async function openStore(location: string, options: PostgresStoreOptions = {}): Promise<KyselyRepository> {
  return isPostgresUrl(location) ? openPostgresStore(location, options) : openSqliteStore(location);
}
