import type { D1Database } from '@cloudflare/workers-types';
import { Kysely, Migrator, sql } from 'kysely';
import { EdgeplaneError } from '../src/errors';
import { KyselyRepository } from '../src/store/kysely-repository';
import { migrationProvider } from '../src/store/migrations';
import type { Database } from '../src/store/tables';
import { EdgeplaneD1Dialect } from './d1-dialect';

// The store on D1: the same repository, queries and migrations as on SQLite, through Kysely's
// D1 dialect (d1-dialect.ts says how its transactions become D1 batches).

/** Migration attempts: two isolates starting at once may race on a fresh database; the loser reads the winner's work. */
const MIGRATE_ATTEMPTS = 3;

/** Opens the store on the D1 binding and, with `migrate`, brings its schema up to date. */
export async function openD1Store(d1: D1Database, { migrate }: { migrate: boolean }): Promise<KyselyRepository> {
  const db = new Kysely<Database>({ dialect: new EdgeplaneD1Dialect(d1) });
  // D1 has no file lock to probe: readiness asks the database to answer at all.
  const store = new KyselyRepository(db, {
    engine: 'd1',
    close: () => db.destroy(),
    probeWrite: async () => {
      await sql`select 1`.execute(db);
    },
  });
  if (!migrate) return store;
  for (let attempt = 1; ; attempt++) {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (!error) return store;
    if (attempt >= MIGRATE_ATTEMPTS) throw new EdgeplaneError('internal', 'could not migrate the D1 database', { cause: error });
  }
}
