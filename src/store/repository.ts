import type { MigrationRun } from '../migrate/run-model';
import type { DomainPage, DomainRecord, DomainState, ServiceRecord } from '../model';
import type { NotificationStore } from './notification-store';

/** A service as stored; its domain list is read from the domain records. */
export type StoredService = Omit<ServiceRecord, 'domains'>;

/** The Fastly API and account (customer id) a database belongs to. */
export interface FastlyAccount {
  apiUrl: string;
  customerId: string;
}

/**
 * A lease as taken: `token` (the fencing token) stays while its holder renews it in time and
 * grows each time the lease is taken anew, so a write can tell whether its holder still has it.
 */
/** Which states `listDue` reads: only those in `only` (when given), none in `except`. */
export interface DueStates {
  only?: readonly DomainState[];
  except?: readonly DomainState[];
}

export interface Lease {
  key: string;
  owner: string;
  token: number;
}

/** The durable store of the control plane. Implemented with kysely (`openStore`). */
export interface Repository {
  /** Notification channels and the outbox that saveDomain and putService write events to. */
  readonly notifications: NotificationStore;
  getService(name: string): Promise<StoredService | null>;
  listServices(): Promise<StoredService[]>;
  /** Insert or replace a service. */
  putService(service: StoredService): Promise<void>;

  getDomain(service: string, domain: string): Promise<DomainRecord | null>;
  /** The record of `domain` in any service (a live one before cancelled ones). */
  findDomain(domain: string): Promise<DomainRecord | null>;
  /** Every record of the service, with history, ordered by domain. */
  listDomains(service: string): Promise<DomainRecord[]>;
  /** At most `limit` records without history, ordered by domain, after the domain `after` when given. */
  listDomainPage(service: string, page: { limit: number; after?: string | undefined }): Promise<DomainPage>;
  /**
   * A number that changes with every write to the service's domains, by any process sharing the
   * database (null: no such service). A list read after it is current as long as it is unchanged.
   */
  domainRevision(service: string): Promise<number | null>;
  /** Domain, role and state of every domain of the service, ordered by domain. */
  listDomainStates(service: string): Promise<ServiceRecord['domains']>;
  /** How many domains (of every service) are in each state; states without any are left out. */
  countDomainsByState(): Promise<Partial<Record<DomainState, number>>>;
  /**
   * Insert or replace a domain record, and append the history events not stored yet
   * (history is append-only: stored events are never rewritten).
   */
  saveDomain(record: DomainRecord): Promise<void>;
  /**
   * Keys of records whose next attempt is due at `now`, the oldest due first (then the least
   * tried): only those in `states.only` when given, leaving out those in `states.except`.
   */
  listDue(now: Date, limit: number, states?: DueStates): Promise<Array<{ service: string; domain: string }>>;

  /**
   * This store with its domain and service writes (saveDomain, putService) fenced by `lease`: each
   * fails with `conflict`, writing nothing, once the lease was taken anew (its token changed).
   */
  fencedBy(lease: Lease): Repository;

  /**
   * Take (or renew) the lease `key` for `owner` until now + ttlMs. The lease when taken (nobody
   * else holds an unexpired lease on it), else null.
   */
  acquireLease(key: string, owner: string, now: Date, ttlMs: number): Promise<Lease | null>;
  /** Lets the lease go (anyone may take it at once); its token keeps counting. */
  releaseLease(key: string, owner: string): Promise<void>;
  /** Drops every lease `owner` holds (its process is known to be gone). */
  releaseLeasesOf(owner: string): Promise<void>;

  /** The worker identities recorded for `host`, with the process that claimed each. */
  listWorkerIds(host: string): Promise<Array<{ id: string; pid: number }>>;
  /**
   * Claims identity `id` for process `pid` if it is still as read: unrecorded (`previousPid`
   * null) or recorded for `previousPid`. True when claimed (a process starting at the same time
   * may have claimed it first).
   */
  claimWorkerId(id: string, host: string, pid: number, previousPid: number | null, at: Date): Promise<boolean>;
  /**
   * Records one probe at `at` if fewer than `capacity` were recorded after `since` (one atomic
   * statement, so processes sharing the database never overspend together). True when taken.
   * Forgets probes at or before `since`.
   */
  takeProbe(at: Date, since: Date, capacity: number): Promise<boolean>;
  /** The probes recorded after `since`: how many, and when the oldest of them was. */
  probesSince(since: Date): Promise<{ count: number; oldestAt: Date | null }>;

  /** Records a new migration run with the old account's token (which no read but `getMigrationToken` returns). */
  createMigration(run: MigrationRun, fromToken: string): Promise<void>;
  /** Replaces a recorded run (fenced like saveDomain); its token stays. */
  saveMigration(run: MigrationRun): Promise<void>;
  getMigration(id: string): Promise<MigrationRun | null>;
  /** The old account's token of a run, for the job's calls only. */
  getMigrationToken(id: string): Promise<string | null>;
  /** The service's runs, newest first. */
  listMigrations(service: string): Promise<MigrationRun[]>;
  /** Runs whose next attempt is due at `now`, the oldest due first. */
  listDueMigrations(now: Date, limit: number): Promise<Array<{ id: string; service: string }>>;

  /** The Fastly API and account the database was created for; null until recorded. */
  getFastlyAccount(): Promise<FastlyAccount | null>;
  /** Records the Fastly API and account the database belongs to, replacing any recorded before. */
  putFastlyAccount(account: FastlyAccount, at: Date): Promise<void>;

  /** Resolves when a write could start now; else throws `store_unavailable` saying why (readiness). */
  checkWritable(): Promise<void>;

  close(): Promise<void>;
}
