import { type DatabaseIntrospector, type DatabaseMetadata, type DatabaseMetadataOptions, type Kysely, type SchemaMetadata, sql, type TableMetadata } from 'kysely';
import { D1Dialect } from 'kysely-d1';

// kysely-d1's dialect with an introspector that leaves out D1's own tables: Kysely's SQLite
// introspector reads every table's columns, and D1 refuses that on its `_cf_` tables
// (SQLITE_AUTH), which stops the Migrator before it runs (docs/cloudflare-facts.md).

interface ColumnRow {
  table: string;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
}

/** Tables, views and their columns, as Kysely's SQLite introspector reports them, without D1's `_cf_` tables. */
class D1Introspector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    return [];
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const kyselyTables = options.withInternalKyselyTables ? sql`` : sql`and name not in ('kysely_migration', 'kysely_migration_lock')`;
    const { rows } = await sql<ColumnRow & { kind: string }>`
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
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new D1Introspector(db);
  }
}
