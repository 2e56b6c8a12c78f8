import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { EdgeplaneError } from '../errors';
import { STORE_RETRY_AFTER_SECONDS } from './failure';
import { KyselyRepository } from './kysely-repository';
import { databaseName } from './location';
import { migrateStore } from './migrate';
import type { Database } from './tables';

// The store on PostgreSQL: the same repository, queries and migrations as on SQLite, through
// Kysely's PostgreSQL dialect and a `pg` pool. Several processes on several machines may share
// one database (src/store/README.md says what keeps them apart).

/** Connections per process: the worker steps a few services at once besides the API's reads. */
const POOL_SIZE = 10;
/** A connection not made in this time fails as `store_unavailable` instead of hanging a request. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Waits between attempts while the server cannot be reached at start. */
const START_RETRY_MS = { first: 500, max: 10_000 };

export interface PostgresStoreOptions {
  /**
   * Called when the server cannot be reached at start; the open tries again after `retryInMs`
   * until it can, or until `waitMs` passed (default: forever, so a replica waits for its database
   * instead of exiting and being restarted in a loop).
   */
  onUnreachable?: (problem: EdgeplaneError, retryInMs: number) => void;
  waitMs?: number;
}

/** Opens the store on the PostgreSQL database at `url` and brings its schema up to date. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<KyselyRepository> {
  const what = `the database ${databaseName(url)}`;
  const giveUpAt = Date.now() + (options.waitMs ?? Number.POSITIVE_INFINITY);
  for (let delay = START_RETRY_MS.first; ; delay = Math.min(delay * 2, START_RETRY_MS.max)) {
    try {
      return await openOnce(url, what);
    } catch (error) {
      const unreachable = error instanceof EdgeplaneError && error.code === 'store_unavailable' && error.detail.includes('cannot be reached');
      if (!unreachable || Date.now() + delay > giveUpAt) throw error;
      options.onUnreachable?.(error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function openOnce(url: string, what: string): Promise<KyselyRepository> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A server that drops an idle connection (restart, failover) makes the pool emit 'error': the
  // connection is discarded and the next query opens another, so it is no reason to stop.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrateStore(db, what);
  const probeWrite = async () => {
    // A standby answers but takes no writes: readiness says so.
    const { rows } = await sql<{ standby: boolean }>`select pg_is_in_recovery() as standby`.execute(db);
    if (rows[0]?.standby)
      throw new EdgeplaneError('store_unavailable', `${what} takes no writes (a standby server)`, {
        resetAt: new Date(Date.now() + STORE_RETRY_AFTER_SECONDS * 1000),
      });
  };
  return new KyselyRepository(db, { engine: 'postgres', close: () => db.destroy(), probeWrite });
}
