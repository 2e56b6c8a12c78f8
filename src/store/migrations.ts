import type { Kysely, Migration, MigrationProvider } from 'kysely';

// Schema migrations, in code so they ship with the package. Only portable column types.

const migrations: Record<string, Migration> = {
  '001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('services')
        .addColumn('name', 'varchar(63)', (c) => c.primaryKey())
        .addColumn('fastly_service_id', 'varchar(64)')
        .addColumn('active_version', 'integer')
        .addColumn('config_store_id', 'varchar(64)')
        .addColumn('config_store_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('origins', 'text', (c) => c.notNull())
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('package_path', 'text')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('domains')
        .addColumn('service', 'varchar(63)', (c) => c.notNull())
        .addColumn('domain', 'varchar(253)', (c) => c.notNull())
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('state', 'varchar(32)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_attempt_at', 'varchar(32)')
        .addColumn('next_attempt_at', 'varchar(32)')
        .addColumn('last_error', 'text')
        .addColumn('conditions', 'text', (c) => c.notNull())
        .addColumn('active_version', 'integer')
        .addColumn('tls', 'text')
        .addColumn('caching', 'integer', (c) => c.notNull())
        .addColumn('caching_override', 'integer')
        .addColumn('move', 'integer', (c) => c.notNull())
        .addColumn('waiting_since', 'varchar(32)')
        .addColumn('backoff_since', 'varchar(32)')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addPrimaryKeyConstraint('domains_pk', ['service', 'domain'])
        .execute();
      await db.schema.createIndex('domains_due').on('domains').columns(['next_attempt_at']).execute();

      await db.schema
        .createTable('domain_history')
        .addColumn('service', 'varchar(63)', (c) => c.notNull())
        .addColumn('domain', 'varchar(253)', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'varchar(32)', (c) => c.notNull())
        .addColumn('from_state', 'varchar(32)')
        .addColumn('to_state', 'varchar(32)', (c) => c.notNull())
        .addColumn('event', 'varchar(64)', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('domain_history_pk', ['service', 'domain', 'seq'])
        .execute();

      await db.schema
        .createTable('leases')
        .addColumn('key', 'varchar(320)', (c) => c.primaryKey())
        .addColumn('owner', 'varchar(128)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  },
  '002_probe_spend': {
    async up(db: Kysely<unknown>) {
      // One row per probe of a waiting domain, so every process on the database shares one budget.
      await db.schema
        .createTable('probe_spend')
        .addColumn('at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('probe_spend_at').on('probe_spend').column('at').execute();
    },
  },
  '003_notifications': {
    async up(db: Kysely<unknown>) {
      // Where a service's events go; `config` holds the URL or instance and the secret or token.
      await db.schema
        .createTable('notification_channels')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('service', 'varchar(63)', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('events', 'text')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('last_delivered_at', 'varchar(32)')
        .addColumn('last_failure_at', 'varchar(32)')
        .addColumn('last_failure', 'text')
        .execute();
      await db.schema.createIndex('notification_channels_service').on('notification_channels').column('service').execute();
      // The outbox: one row per event and channel, written in the transaction of the change that
      // made the event; next_attempt_at is null once delivered.
      await db.schema
        .createTable('notification_outbox')
        .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('channel_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'varchar(32)')
        .addColumn('delivered_at', 'varchar(32)')
        .addColumn('last_error', 'text')
        .addPrimaryKeyConstraint('notification_outbox_pk', ['event_id', 'channel_id'])
        .execute();
      await db.schema.createIndex('notification_outbox_due').on('notification_outbox').column('next_attempt_at').execute();
    },
  },
  '004_domain_revision': {
    async up(db: Kysely<unknown>) {
      // Counts the writes to a service's domains, so a reader can tell cheaply whether a list it
      // read before is still current, whichever process wrote.
      await db.schema
        .alterTable('services')
        .addColumn('domain_revision', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '005_fastly_account': {
    async up(db: Kysely<unknown>) {
      // The Fastly API and account the database was created for: one row, id 1.
      await db.schema
        .createTable('fastly_account')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('api_url', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('recorded_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  },
  '006_worker_ids': {
    async up(db: Kysely<unknown>) {
      // Worker identities per host (`host/n`) and the process that holds each, so a restarted
      // process takes its dead predecessor's identity and leases at once.
      await db.schema
        .createTable('worker_ids')
        .addColumn('id', 'varchar(160)', (c) => c.primaryKey())
        .addColumn('host', 'varchar(128)', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('claimed_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  },
  '007_lease_tokens': {
    async up(db: Kysely<unknown>) {
      // A fencing token per lease: writes made under a lease name its token, so a holder that
      // was paused past its lease cannot write once another took it.
      await db.schema
        .alterTable('leases')
        .addColumn('token', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '008_migrations': {
    async up(db: Kysely<unknown>) {
      // Moves of a site from another Fastly account (src/migrate/): the run as JSON text, with
      // the columns the job queries by; `from_token` is the old account's token, never shown.
      await db.schema
        .createTable('migrations')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('service', 'varchar(63)', (c) => c.notNull())
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('next_attempt_at', 'varchar(32)')
        .addColumn('from_token', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('migrations_service').on('migrations').columns(['service', 'created_at']).execute();
      await db.schema.createIndex('migrations_due').on('migrations').column('next_attempt_at').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
