import { type CompiledQuery, type Insertable, type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { EdgeplaneError } from '../errors';
import type { MigrationRun } from '../migrate/run-model';
import {
  Condition,
  type DomainPage,
  type DomainRecord,
  DomainRole,
  DomainState,
  type DomainSummary,
  HistoryEvent,
  LastError,
  Origin,
  type ServiceRecord,
  TlsStatus,
} from '../model';
import { domainEvents, serviceEvents } from '../notify/events';
import { storeFailure } from './failure';
import { migrationFromRow, migrationToRow } from './migration-rows';
import { enqueueEvents, NotificationStore } from './notification-store';
import type { DueStates, FastlyAccount, Lease, Repository, StoredService } from './repository';
import type { Database, DomainHistoryTable, DomainsTable, ServicesTable } from './tables';
import type { CommitMark } from './wal-commits';

// Rows are parsed with zod when read back: the database is a boundary too.

const ServiceStatus = z.enum(['provisioning', 'ready', 'needs_attention']);
const Origins = z.object({ main: Origin, static: Origin });
// Built once: a schema built per row cost more than the row's parse.
const Conditions = z.array(Condition);

function json<T>(schema: z.ZodType<T>, text: string | null): T | null {
  return text === null ? null : schema.parse(JSON.parse(text));
}

/** The column text that `json` reads back. */
function toJson(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

function serviceFromRow(row: Selectable<ServicesTable>): StoredService {
  return {
    name: row.name,
    fastlyServiceId: row.fastly_service_id,
    activeVersion: row.active_version,
    configStoreId: row.config_store_id,
    configStoreName: row.config_store_name,
    origins: Origins.parse(JSON.parse(row.origins)),
    status: ServiceStatus.parse(row.status),
    lastError: json(LastError, row.last_error),
    packagePath: row.package_path,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function serviceToRow(service: StoredService): Insertable<ServicesTable> {
  return {
    name: service.name,
    fastly_service_id: service.fastlyServiceId,
    active_version: service.activeVersion,
    config_store_id: service.configStoreId,
    config_store_name: service.configStoreName,
    origins: JSON.stringify(service.origins),
    status: service.status,
    last_error: toJson(service.lastError),
    package_path: service.packagePath,
    created_at: service.createdAt,
    updated_at: service.updatedAt,
  };
}

function domainToRow(record: DomainRecord): DomainsTable {
  return {
    service: record.service,
    domain: record.domain,
    role: record.role,
    state: record.state,
    attempts: record.attempts,
    last_attempt_at: record.lastAttemptAt,
    next_attempt_at: record.nextAttemptAt,
    last_error: toJson(record.lastError),
    conditions: JSON.stringify(record.conditions),
    active_version: record.activeVersion,
    tls: toJson(record.tls),
    caching: record.caching ? 1 : 0,
    caching_override: record.cachingOverride === null ? null : record.cachingOverride ? 1 : 0,
    move: record.move ? 1 : 0,
    waiting_since: record.waitingSince,
    backoff_since: record.backoffSince,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

function summaryFromRow(row: DomainsTable): DomainSummary {
  return {
    service: row.service,
    domain: row.domain,
    role: DomainRole.parse(row.role),
    state: DomainState.parse(row.state),
    attempts: row.attempts,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    lastError: json(LastError, row.last_error),
    conditions: Conditions.parse(JSON.parse(row.conditions)),
    activeVersion: row.active_version,
    tls: json(TlsStatus, row.tls),
    caching: row.caching === 1,
    cachingOverride: row.caching_override === null ? null : row.caching_override === 1,
    move: row.move === 1,
    waitingSince: row.waiting_since,
    backoffSince: row.backoff_since,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function domainFromRows(row: DomainsTable, events: DomainHistoryTable[]): DomainRecord {
  return {
    ...summaryFromRow(row),
    history: events.map((event) =>
      HistoryEvent.parse({ at: event.at, from: event.from_state, to: event.to_state, event: event.event, message: event.message }),
    ),
  };
}

/** History rows per INSERT: 8 parameters each, and D1 binds at most 100 per statement (docs/cloudflare-facts.md). */
const HISTORY_ROWS_PER_INSERT = 12;

/** Where the repository runs: the statements are the same, how writers are kept apart is not. */
export type StoreEngine = 'sqlite' | 'd1' | 'postgres';

export interface RepositoryBackend {
  engine: StoreEngine;
  close(): Promise<void>;
  /** Resolves when a write could start now (readiness). */
  probeWrite(): Promise<void>;
  /** Changes whenever anything is committed, by any process (SQLite in WAL mode only). */
  commitMark?: CommitMark;
}

/** The advisory lock key that serialises takeProbe on PostgreSQL (any constant of ours). */
const PROBE_BUDGET_LOCK = 0x6564_6765;
/** A released lease's expiry: before any time, so anyone takes it; the row stays to keep its token counting. */
const RELEASED = new Date(0).toISOString();

export class KyselyRepository implements Repository {
  readonly notifications: NotificationStore;
  private revisionQuery: CompiledQuery<{ domain_revision: number }> | undefined;
  /** Revisions read since the commit mark last changed: nothing committed since, so they are current. */
  private revisions: { mark: Buffer; byService: Map<string, number> } | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly backend: RepositoryBackend,
    /** The lease this view's domain and service writes are fenced by (see fencedBy). */
    private readonly fence: Lease | null = null,
  ) {
    this.notifications = new NotificationStore(db);
  }

  fencedBy(lease: Lease): KyselyRepository {
    return new KyselyRepository(this.db, this.backend, lease);
  }

  async checkWritable(): Promise<void> {
    try {
      await this.backend.probeWrite();
    } catch (error) {
      throw storeFailure(error) ?? error;
    }
  }

  async getService(name: string): Promise<StoredService | null> {
    const row = await this.db.selectFrom('services').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? serviceFromRow(row) : null;
  }

  async listServices(): Promise<StoredService[]> {
    const rows = await this.db.selectFrom('services').selectAll().orderBy('name').execute();
    return rows.map(serviceFromRow);
  }

  async putService(service: StoredService): Promise<void> {
    const row = serviceToRow(service);
    const { name: _name, created_at: _created, ...changes } = row;
    await this.db.transaction().execute(async (trx) => {
      await this.checkFence(trx);
      const before = await trx.selectFrom('services').selectAll().where('name', '=', service.name).executeTakeFirst();
      await trx
        .insertInto('services')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet(changes))
        .execute();
      await enqueueEvents(trx, service.name, serviceEvents(before ? serviceFromRow(before) : null, service));
    });
  }

  async getDomain(service: string, domain: string): Promise<DomainRecord | null> {
    const row = await this.db.selectFrom('domains').selectAll().where('service', '=', service).where('domain', '=', domain).executeTakeFirst();
    return row ? this.withHistory(row) : null;
  }

  async findDomain(domain: string): Promise<DomainRecord | null> {
    const row = await this.db
      .selectFrom('domains')
      .selectAll()
      .where('domain', '=', domain)
      // A live record wins over cancelled ones left in other services.
      .orderBy(sql`case when state = 'cancelled' then 1 else 0 end`)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    return row ? this.withHistory(row) : null;
  }

  async listDomains(service: string): Promise<DomainRecord[]> {
    const rows = await this.db.selectFrom('domains').selectAll().where('service', '=', service).orderBy('domain').execute();
    // One query for the whole service's history, not one per domain.
    const events = await this.db.selectFrom('domain_history').selectAll().where('service', '=', service).orderBy('domain').orderBy('seq').execute();
    const byDomain = new Map<string, DomainHistoryTable[]>();
    for (const event of events) {
      const list = byDomain.get(event.domain);
      if (list) list.push(event);
      else byDomain.set(event.domain, [event]);
    }
    return rows.map((row) => domainFromRows(row, byDomain.get(row.domain) ?? []));
  }

  async listDomainPage(service: string, page: { limit: number; after?: string | undefined }): Promise<DomainPage> {
    let query = this.db.selectFrom('domains').selectAll().where('service', '=', service);
    if (page.after !== undefined) query = query.where('domain', '>', page.after);
    // One row more than asked tells whether another page follows.
    const rows = await query
      .orderBy('domain')
      .limit(page.limit + 1)
      .execute();
    const items = rows.slice(0, page.limit).map(summaryFromRow);
    return { items, next: rows.length > page.limit ? items.at(-1)!.domain : null };
  }

  async domainRevision(service: string): Promise<number | null> {
    // Asked before every list page the API answers. The mark is read before the revision: a commit
    // after the mark changes it, so a revision kept under a mark seen again is still current.
    const mark = this.backend.commitMark?.read() ?? null;
    if (mark === null) return this.readRevision(service);
    if (!this.revisions?.mark.equals(mark)) this.revisions = { mark, byService: new Map() };
    const revisions = this.revisions;
    const known = revisions.byService.get(service);
    if (known !== undefined) return known;
    const revision = await this.readRevision(service);
    if (revision !== null) revisions.byService.set(service, revision);
    return revision;
  }

  private async readRevision(service: string): Promise<number | null> {
    // Built and compiled once, run with the name.
    this.revisionQuery ??= this.db.selectFrom('services').select('domain_revision').where('name', '=', '').compile();
    const { rows } = await this.db.executeQuery<{ domain_revision: number }>({ ...this.revisionQuery, parameters: [service] });
    return rows[0]?.domain_revision ?? null;
  }

  async listDomainStates(service: string): Promise<ServiceRecord['domains']> {
    const rows = await this.db.selectFrom('domains').select(['domain', 'role', 'state']).where('service', '=', service).orderBy('domain').execute();
    return rows.map((row) => ({ domain: row.domain, role: DomainRole.parse(row.role), state: DomainState.parse(row.state) }));
  }

  async countDomainsByState(): Promise<Partial<Record<DomainState, number>>> {
    const rows = await this.db
      .selectFrom('domains')
      .select((eb) => ['state', eb.fn.countAll<number>().as('count')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((row) => [DomainState.parse(row.state), Number(row.count)]));
  }

  async saveDomain(record: DomainRecord): Promise<void> {
    const row = domainToRow(record);
    const { service: _service, domain: _domain, created_at: _created, ...changes } = row;
    await this.db.transaction().execute(async (trx) => {
      await this.checkFence(trx);
      const before = await trx.selectFrom('domains').selectAll().where('service', '=', record.service).where('domain', '=', record.domain).executeTakeFirst();
      // The events of this change go into the outbox in its transaction: both or neither.
      await enqueueEvents(trx, record.service, domainEvents(before ? summaryFromRow(before) : null, record));
      await trx
        .insertInto('domains')
        .values(row)
        .onConflict((oc) => oc.columns(['service', 'domain']).doUpdateSet(changes))
        .execute();
      await trx
        .updateTable('services')
        .set((eb) => ({ domain_revision: eb('domain_revision', '+', 1) }))
        .where('name', '=', record.service)
        .execute();
      const stored = await trx
        .selectFrom('domain_history')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('service', '=', record.service)
        .where('domain', '=', record.domain)
        .executeTakeFirstOrThrow();
      const fresh = record.history.slice(Number(stored.count)).map((event, index) => ({
        service: record.service,
        domain: record.domain,
        seq: Number(stored.count) + index,
        at: event.at,
        from_state: event.from,
        to_state: event.to,
        event: event.event,
        message: event.message,
      }));
      for (let start = 0; start < fresh.length; start += HISTORY_ROWS_PER_INSERT) {
        await trx
          .insertInto('domain_history')
          .values(fresh.slice(start, start + HISTORY_ROWS_PER_INSERT))
          .execute();
      }
    });
  }

  async listDue(now: Date, limit: number, states: DueStates = {}): Promise<Array<{ service: string; domain: string }>> {
    let query = this.db
      .selectFrom('domains')
      .select(['service', 'domain'])
      .where('next_attempt_at', 'is not', null)
      .where('next_attempt_at', '<=', now.toISOString());
    if (states.only) query = query.where('state', 'in', states.only);
    if (states.except?.length) query = query.where('state', 'not in', states.except);
    return (
      query
        .orderBy('next_attempt_at')
        // Equally due: the least probed first, so domains sharing a scarce budget take turns.
        .orderBy('attempts')
        .orderBy('service')
        .orderBy('domain')
        .limit(limit)
        .execute()
    );
  }

  async acquireLease(key: string, owner: string, now: Date, ttlMs: number): Promise<Lease | null> {
    const nowIso = now.toISOString();
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    await this.db
      .insertInto('leases')
      .values({ key, owner, expires_at: RELEASED, token: 0 })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    // The conditional UPDATE is the lock: it succeeds only for the holder or once the lease expired.
    // The token stays while the holder renews in time and grows whenever the lease is taken anew.
    const row = await this.db
      .updateTable('leases')
      .set((eb) => ({
        owner,
        expires_at: expiresAt,
        token: eb
          .case()
          .when(eb.and([eb('owner', '=', owner), eb('expires_at', '>', nowIso)]))
          .then(eb.ref('token'))
          .else(eb('token', '+', 1))
          .end(),
      }))
      .where('key', '=', key)
      .where((eb) => eb.or([eb('owner', '=', owner), eb('expires_at', '<=', nowIso)]))
      .returning('token')
      .executeTakeFirst();
    return row ? { key, owner, token: Number(row.token) } : null;
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await this.db.updateTable('leases').set({ expires_at: RELEASED }).where('key', '=', key).where('owner', '=', owner).execute();
  }

  async releaseLeasesOf(owner: string): Promise<void> {
    await this.db.updateTable('leases').set({ expires_at: RELEASED }).where('owner', '=', owner).execute();
  }

  async listWorkerIds(host: string): Promise<Array<{ id: string; pid: number }>> {
    const rows = await this.db.selectFrom('worker_ids').select(['id', 'pid']).where('host', '=', host).execute();
    return rows.map((row) => ({ id: row.id, pid: Number(row.pid) }));
  }

  async claimWorkerId(id: string, host: string, pid: number, previousPid: number | null, at: Date): Promise<boolean> {
    const claimedAt = at.toISOString();
    if (previousPid === null) {
      const inserted = await this.db
        .insertInto('worker_ids')
        .values({ id, host, pid, claimed_at: claimedAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const updated = await this.db
      .updateTable('worker_ids')
      .set({ pid, claimed_at: claimedAt })
      .where('id', '=', id)
      .where('pid', '=', previousPid)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  async takeProbe(at: Date, since: Date, capacity: number): Promise<boolean> {
    const sinceIso = since.toISOString();
    const take = async (db: Kysely<Database>) => {
      await db.deleteFrom('probe_spend').where('at', '<=', sinceIso).execute();
      // Count and insert in one statement: SQLite (and D1) run it alone, so no other writer
      // counts in between.
      const result =
        await sql`insert into probe_spend (at) select ${at.toISOString()} where (select count(*) from probe_spend where at > ${sinceIso}) < ${capacity}`.execute(
          db,
        );
      return Number(result.numAffectedRows ?? 0) === 1;
    };
    if (this.backend.engine !== 'postgres') return take(this.db);
    // PostgreSQL's default isolation (read committed) lets two such statements count the same
    // rows at once: a lock held to the commit makes the takers count one after another.
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PROBE_BUDGET_LOCK})`.execute(trx);
      return take(trx);
    });
  }

  async probesSince(since: Date): Promise<{ count: number; oldestAt: Date | null }> {
    const row = await this.db
      .selectFrom('probe_spend')
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('at').as('oldest')])
      .where('at', '>', since.toISOString())
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), oldestAt: row.oldest ? new Date(row.oldest) : null };
  }

  async createMigration(run: MigrationRun, fromToken: string): Promise<void> {
    await this.db
      .insertInto('migrations')
      .values({ ...migrationToRow(run), from_token: fromToken })
      .execute();
  }

  async saveMigration(run: MigrationRun): Promise<void> {
    const { id, created_at: _created, ...changes } = migrationToRow(run);
    await this.db.transaction().execute(async (trx) => {
      await this.checkFence(trx);
      const updated = await trx.updateTable('migrations').set(changes).where('id', '=', id).executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new EdgeplaneError('not_found', `no migration ${id}`);
    });
  }

  async getMigration(id: string): Promise<MigrationRun | null> {
    const row = await this.db.selectFrom('migrations').select(['body']).where('id', '=', id).executeTakeFirst();
    return row ? migrationFromRow(row) : null;
  }

  async getMigrationToken(id: string): Promise<string | null> {
    const row = await this.db.selectFrom('migrations').select(['from_token']).where('id', '=', id).executeTakeFirst();
    return row?.from_token ?? null;
  }

  async listMigrations(service: string): Promise<MigrationRun[]> {
    const rows = await this.db
      .selectFrom('migrations')
      .select(['body'])
      .where('service', '=', service)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(migrationFromRow);
  }

  async listDueMigrations(now: Date, limit: number): Promise<Array<{ id: string; service: string }>> {
    return this.db
      .selectFrom('migrations')
      .select(['id', 'service'])
      .where('next_attempt_at', 'is not', null)
      .where('next_attempt_at', '<=', now.toISOString())
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  async getFastlyAccount(): Promise<FastlyAccount | null> {
    const row = await this.db.selectFrom('fastly_account').select(['api_url', 'customer_id']).where('id', '=', 1).executeTakeFirst();
    return row ? { apiUrl: row.api_url, customerId: row.customer_id } : null;
  }

  async putFastlyAccount(account: FastlyAccount, at: Date): Promise<void> {
    const row = { api_url: account.apiUrl, customer_id: account.customerId, recorded_at: at.toISOString() };
    await this.db
      .insertInto('fastly_account')
      .values({ id: 1, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  /**
   * In a fenced view, fails the write's transaction unless its lease is still held with its
   * token. On SQLite and PostgreSQL the check is a write to the lease row, so it holds the row
   * (or the file) until the commit and no one takes the lease in between; on D1 a transaction's
   * writes wait for its commit, so the check is a read just before.
   */
  private async checkFence(trx: Transaction<Database>): Promise<void> {
    if (!this.fence) return;
    const { key, owner, token } = this.fence;
    const held =
      this.backend.engine === 'd1'
        ? (await trx.selectFrom('leases').select('key').where('key', '=', key).where('owner', '=', owner).where('token', '=', token).executeTakeFirst())
          !== undefined
        : Number(
            (await trx.updateTable('leases').set({ token }).where('key', '=', key).where('owner', '=', owner).where('token', '=', token).executeTakeFirst())
              .numUpdatedRows,
          ) === 1;
    if (!held) throw new EdgeplaneError('conflict', `the lease ${key} of ${owner} (token ${token}) has passed to another holder: this write was refused`);
  }

  private async withHistory(row: DomainsTable): Promise<DomainRecord> {
    const events = await this.db
      .selectFrom('domain_history')
      .selectAll()
      .where('service', '=', row.service)
      .where('domain', '=', row.domain)
      .orderBy('seq')
      .execute();
    return domainFromRows(row, events);
  }
}
