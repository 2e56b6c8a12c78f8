import type { D1Database } from '@cloudflare/workers-types';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Driver,
  type Kysely,
  type QueryResult,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';
import { D1Dialect } from 'kysely-d1';

// Kysely on D1: kysely-d1's adapter and SQL compiler, with our own driver and introspector.
//
// D1 has no transactions across calls, only `batch`, which it runs as one transaction
// (docs/cloudflare-facts.md). So a Kysely transaction here runs its reads at once and keeps its
// writes until the commit, which sends them in one batch: all of them or none. The rule that
// follows: inside a transaction, no read may depend on a write of the same transaction, and a
// write's result (rows changed) is not known before the commit. The store's transactions read
// first and then write, so they keep their meaning.

type Row = Record<string, unknown>;

function resultOf(answer: { results?: unknown[]; meta: { changes?: number; last_row_id?: number | null } }): QueryResult<Row> {
  const changes = answer.meta.changes ?? 0;
  return {
    rows: (answer.results ?? []) as Row[],
    ...(changes > 0 ? { numAffectedRows: BigInt(changes) } : {}),
    ...(answer.meta.last_row_id !== undefined && answer.meta.last_row_id !== null ? { insertId: BigInt(answer.meta.last_row_id) } : {}),
  };
}

class D1Connection implements DatabaseConnection {
  /** The writes of the open transaction; null outside one. */
  private pending: CompiledQuery[] | null = null;

  constructor(private readonly d1: D1Database) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.pending && query.query.kind !== 'SelectQueryNode') {
      this.pending.push(query);
      return { rows: [] };
    }
    const answer = await this.d1
      .prepare(query.sql)
      .bind(...query.parameters)
      .all();
    return resultOf(answer) as QueryResult<R>;
  }

  // biome-ignore lint/correctness/useYield: Kysely's driver interface is a generator; D1 has nothing to stream.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('D1 does not stream query results');
  }

  begin(): void {
    this.pending = [];
  }

  async commit(): Promise<void> {
    const writes = this.pending ?? [];
    this.pending = null;
    if (writes.length > 0) await this.d1.batch(writes.map((query) => this.d1.prepare(query.sql).bind(...query.parameters)));
  }

  rollback(): void {
    this.pending = null;
  }
}

class D1Driver implements Driver {
  constructor(private readonly d1: D1Database) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new D1Connection(this.d1);
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as D1Connection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as D1Connection).commit();
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as D1Connection).rollback();
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

interface ColumnRow {
  table: string;
  kind: string;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
}

/**
 * Tables, views and their columns, as Kysely's SQLite introspector reports them, without D1's
 * own `_cf_` tables: D1 refuses to list their columns (SQLITE_AUTH), which would stop the Migrator.
 */
class D1Introspector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    return [];
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const kyselyTables = options.withInternalKyselyTables ? sql`` : sql`and m.name not in ('kysely_migration', 'kysely_migration_lock')`;
    const { rows } = await sql<ColumnRow>`
      select m.name as "table", m.type as kind, p.name, p.type, p."notnull", p.dflt_value
      from sqlite_master m, pragma_table_info(m.name) p
      where m.type in ('table', 'view') and m.name not like 'sqlite\\_%' escape '\\' and substr(m.name, 1, 4) != '_cf_' ${kyselyTables}
      order by m.name, p.cid`.execute(this.db);
    const tables = new Map<string, TableMetadata>();
    for (const row of rows) {
      const table = tables.get(row.table) ?? { name: row.table, isView: row.kind === 'view', columns: [] };
      tables.set(row.table, table);
      table.columns.push({
        name: row.name,
        dataType: row.type,
        isNullable: row.notnull === 0,
        isAutoIncrementing: false,
        hasDefaultValue: row.dflt_value !== null,
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

export class EdgeplaneD1Dialect extends D1Dialect {
  constructor(private readonly d1: D1Database) {
    super({ database: d1 });
  }

  override createDriver(): Driver {
    return new D1Driver(this.d1);
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new D1Introspector(db);
  }
}
