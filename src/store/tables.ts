import type { Generated } from 'kysely';

// Table shapes as the database sees them. Kept portable (SQLite, PostgreSQL, D1): timestamps are
// ISO-8601 text (they sort as they compare), JSON is text, booleans are 0/1 integers.

export interface ServicesTable {
  name: string;
  fastly_service_id: string | null;
  active_version: number | null;
  config_store_id: string | null;
  config_store_name: string;
  origins: string;
  status: string;
  last_error: string | null;
  package_path: string | null;
  created_at: string;
  updated_at: string;
  /** Bumped with every write to the service's domains (never written by putService). */
  domain_revision: Generated<number>;
}

export interface DomainsTable {
  service: string;
  domain: string;
  role: string;
  state: string;
  attempts: number;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
  last_error: string | null;
  conditions: string;
  active_version: number | null;
  tls: string | null;
  caching: number;
  caching_override: number | null;
  move: number;
  waiting_since: string | null;
  backoff_since: string | null;
  created_at: string;
  updated_at: string;
}

export interface DomainHistoryTable {
  service: string;
  domain: string;
  seq: number;
  at: string;
  from_state: string | null;
  to_state: string;
  event: string;
  message: string;
}

export interface LeasesTable {
  key: string;
  owner: string;
  expires_at: string;
  /** The fencing token: grows each time the lease is taken anew (007). */
  token: number;
}

export interface ProbeSpendTable {
  at: string;
}

export interface NotificationChannelsTable {
  id: string;
  service: string;
  kind: string;
  config: string;
  events: string | null;
  created_at: string;
  last_delivered_at: string | null;
  last_failure_at: string | null;
  last_failure: string | null;
}

export interface NotificationOutboxTable {
  event_id: string;
  channel_id: string;
  type: string;
  body: string;
  created_at: string;
  attempts: number;
  next_attempt_at: string | null;
  delivered_at: string | null;
  last_error: string | null;
}

export interface FastlyAccountTable {
  id: number;
  api_url: string;
  customer_id: string;
  recorded_at: string;
}

export interface WorkerIdsTable {
  id: string;
  host: string;
  pid: number;
  claimed_at: string;
}

/** A migration run (008): the run's JSON in `body`, the old account's token apart from it. */
export interface MigrationsTable {
  id: string;
  service: string;
  status: string;
  next_attempt_at: string | null;
  from_token: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  services: ServicesTable;
  domains: DomainsTable;
  domain_history: DomainHistoryTable;
  leases: LeasesTable;
  probe_spend: ProbeSpendTable;
  notification_channels: NotificationChannelsTable;
  notification_outbox: NotificationOutboxTable;
  fastly_account: FastlyAccountTable;
  worker_ids: WorkerIdsTable;
  migrations: MigrationsTable;
}
