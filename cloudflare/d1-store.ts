import type { D1Database } from '@cloudflare/workers-types';
import { type CompiledQuery, Kysely, Migrator } from 'kysely';
import { EdgeplaneD1Dialect } from './d1-dialect';
import type { DomainRecord } from '../src/model';
import { EdgeplaneError } from '../src/errors';
import { KyselyRepository } from '../src/store/kysely-repository';
import { migrationProvider } from '../src/store/migrations';
import type { Database } from '../src/store/tables';

/**
 * The store on D1, through Kysely's D1 dialect and the same queries and migrations as SQLite.
 * D1 has no interactive transactions, so the writes that save a record (its row and its new
 * history events) go in one `batch`, which D1 runs as one transaction.
 */
export class D1Repository extends KyselyRepository {
  constructor(
    private readonly d1: D1Database,
    db: Kysely<Database>,
  ) {
    super(db, () => db.destroy());
  }

  override async saveDomain(record: DomainRecord): Promise<void> {
    const queries = await this.saveDomainQueries(this.db, record);
    await this.d1.batch(queries.map((query: CompiledQuery) => this.d1.prepare(query.sql).bind(...query.parameters)));
  }
}

/** Migration attempts: two isolates starting at once may race on a fresh database; the loser reads the winner's work. */
const MIGRATE_ATTEMPTS = 3;

/** Opens the store on the D1 binding and, with `migrate`, brings its schema up to date. */
export async function openD1Store(d1: D1Database, { migrate }: { migrate: boolean }): Promise<D1Repository> {
  const db = new Kysely<Database>({ dialect: new EdgeplaneD1Dialect({ database: d1 }) });
  if (!migrate) return new D1Repository(d1, db);
  for (let attempt = 1; ; attempt++) {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (!error) return new D1Repository(d1, db);
    if (attempt >= MIGRATE_ATTEMPTS) throw new EdgeplaneError('internal', 'could not migrate the D1 database', { cause: error });
  }
}
