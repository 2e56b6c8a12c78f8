import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { record, t0 } from '../../test/support/domain-record';
import { type PostgresServer, startPostgres } from '../../test/support/postgres-server';
import type { MigrationRun } from '../migrate/run-model';
import type { DomainRecord } from '../model';
import { openStore, type StoredService, storeFailure } from './index';
import type { KyselyRepository } from './kysely-repository';

const execFileAsync = promisify(execFile);

// Every test runs on a SQLite file and on a PostgreSQL database (a real server, one per run of
// this file, a new database per test); `open()` again is another process on the same database.

function service(name: string): StoredService {
  return {
    name,
    fastlyServiceId: null,
    activeVersion: null,
    configStoreId: null,
    configStoreName: 'edgeplane',
    origins: { main: { address: 'lb.toot.example', port: 443, useTls: true }, static: { address: 'files.toot.example', port: 443, useTls: true } },
    status: 'ready',
    lastError: null,
    packagePath: null,
    createdAt: t0,
    updatedAt: t0,
  };
}

function migrationRun(id: string, createdAt: string, nextAttemptAt: string | null): MigrationRun {
  const origins = service('toot').origins;
  return {
    id,
    service: 'toot',
    status: nextAttemptAt === null ? 'done' : 'running',
    stepsDone: 0,
    plan: {
      service: 'toot',
      from: { customerId: 'old', name: 'old account' },
      readAt: t0,
      domains: [{ domain: 'toot.example', role: 'main' }],
      origins,
      originsFrom: { kind: 'given', reason: 'given' },
      claims: [],
      steps: [],
      dns: [],
      gap: [],
      warnings: [],
    },
    attempts: 0,
    lastAttemptAt: null,
    nextAttemptAt,
    lastError: null,
    conditions: [],
    history: [{ at: createdAt, step: null, event: 'started', message: 'started' }],
    createdAt,
    updatedAt: createdAt,
  };
}

describe.each(['SQLite', 'PostgreSQL'])('the kysely store on %s', (engine) => {
  let server: PostgresServer | undefined;
  let dir: string;
  let location: string;
  let stores: KyselyRepository[];
  beforeAll(async () => {
    if (engine === 'PostgreSQL') server = await startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgeplane-store-'));
    location = server ? await server.createDatabase() : join(dir, 'edgeplane.db');
    stores = [];
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  async function open(): Promise<KyselyRepository> {
    const store = await openStore(location);
    stores.push(store);
    return store;
  }

  it('round-trips a domain record and appends only new history events', async () => {
    const store = await open();
    const first = record({ lastError: { code: 'domain_held_by_other_account', detail: "Domain 'toot.example' is owned by another customer" } });
    await store.saveDomain(first);
    const second = {
      ...first,
      state: 'waiting_for_release' as const,
      attempts: 1,
      cachingOverride: false,
      tls: {
        subscriptionId: 's1',
        state: 'pending' as const,
        dnsRecords: [{ type: 'CNAME' as const, name: '_acme-challenge.toot.example', value: 'x.fastly-validations.com', purpose: 'acme_challenge' as const }],
      },
      history: [...first.history, { at: t0, from: 'queued' as const, to: 'waiting_for_release' as const, event: 'refused', message: 'held' }],
    };
    await store.saveDomain(second);
    await store.saveDomain(second);
    expect(await store.getDomain('toot', 'toot.example')).toEqual(second);
    expect(await store.findDomain('toot.example')).toEqual(second);
    expect(await store.getDomain('toot', 'other.example')).toBeNull();
    const other = record({ domain: 'files.toot.example', role: 'static' });
    await store.saveDomain(other);
    await store.saveDomain(record({ service: 'elsewhere', domain: 'x.example' }));
    expect(await store.listDomains('toot')).toEqual([other, second]);
  });

  it("pages a service's domains by name, without history, from the cursor on", async () => {
    const store = await open();
    const names = ['e.example', 'a.example', 'd.example', 'b.example', 'c.example'];
    for (const domain of names) await store.saveDomain(record({ domain }));
    await store.saveDomain(record({ service: 'elsewhere', domain: 'bb.example' }));
    const summary = ({ history: _history, ...rest }: DomainRecord) => rest;

    const first = await store.listDomainPage('toot', { limit: 2 });
    expect(first).toEqual({ items: [summary(record({ domain: 'a.example' })), summary(record({ domain: 'b.example' }))], next: 'b.example' });
    const second = await store.listDomainPage('toot', { limit: 2, after: 'b.example' });
    expect(second.items.map((item) => item.domain)).toEqual(['c.example', 'd.example']);
    expect(second.next).toBe('d.example');
    // The last page is exactly full: no cursor, since nothing follows.
    expect(await store.listDomainPage('toot', { limit: 1, after: 'd.example' })).toEqual({ items: [summary(record({ domain: 'e.example' }))], next: null });
    // A cursor need not be a stored domain: the page starts after where it would sort.
    expect((await store.listDomainPage('toot', { limit: 10, after: 'bz.example' })).items.map((item) => item.domain)).toEqual([
      'c.example',
      'd.example',
      'e.example',
    ]);
    expect(await store.listDomainPage('toot', { limit: 10, after: 'e.example' })).toEqual({ items: [], next: null });
    expect(await store.listDomainPage('nobody', { limit: 10 })).toEqual({ items: [], next: null });
  });

  it("changes a service's domain revision with every write to its domains, seen by every connection", async () => {
    const store = await open();
    const other = await open();
    expect(await store.domainRevision('toot')).toBeNull();
    await store.putService(service('toot'));
    await store.putService(service('elsewhere'));
    const start = await store.domainRevision('toot');
    expect(start).not.toBeNull();

    await store.saveDomain(record());
    const afterInsert = await other.domainRevision('toot');
    expect(afterInsert).not.toBe(start);
    await other.saveDomain(record({ state: 'attaching' }));
    const afterUpdate = await store.domainRevision('toot');
    expect(afterUpdate).not.toBe(afterInsert);
    // Neither the service's own record nor another service's domains count.
    await store.putService({ ...service('toot'), status: 'needs_attention' });
    await store.saveDomain(record({ service: 'elsewhere', domain: 'x.example' }));
    expect(await other.domainRevision('toot')).toBe(afterUpdate);
  });

  it('lists domain states of a service and counts domains by state across services', async () => {
    const store = await open();
    await store.saveDomain(record({ domain: 'b.example', state: 'cached' }));
    await store.saveDomain(record({ domain: 'a.example', role: 'static', state: 'waiting_for_release' }));
    await store.saveDomain(record({ domain: 'c.example', state: 'cached' }));
    await store.saveDomain(record({ service: 'elsewhere', domain: 'x.example', state: 'cached' }));
    await store.saveDomain(record({ service: 'elsewhere', domain: 'y.example', state: 'queued' }));
    expect(await store.listDomainStates('toot')).toEqual([
      { domain: 'a.example', role: 'static', state: 'waiting_for_release' },
      { domain: 'b.example', role: 'main', state: 'cached' },
      { domain: 'c.example', role: 'main', state: 'cached' },
    ]);
    expect(await store.countDomainsByState()).toEqual({ cached: 3, waiting_for_release: 1, queued: 1 });
  });

  it('lists due records, the oldest due first', async () => {
    const store = await open();
    await store.saveDomain(record({ domain: 'b.example', nextAttemptAt: '2026-01-01T00:02:00.000Z' }));
    await store.saveDomain(record({ domain: 'a.example', nextAttemptAt: '2026-01-01T00:01:00.000Z' }));
    await store.saveDomain(record({ domain: 'c.example', nextAttemptAt: '2026-01-01T00:09:00.000Z' }));
    await store.saveDomain(record({ domain: 'd.example', nextAttemptAt: null }));
    await store.saveDomain(record({ domain: 'e.example', nextAttemptAt: '2026-01-01T00:01:00.000Z', attempts: 3, state: 'waiting_for_release' }));
    const due = await store.listDue(new Date('2026-01-01T00:05:00Z'), 10);
    // Equally due: the least tried first.
    expect(due.map((d) => d.domain)).toEqual(['a.example', 'e.example', 'b.example']);
    const at = new Date('2026-01-01T00:05:00Z');
    expect((await store.listDue(at, 10, { except: ['waiting_for_release'] })).map((d) => d.domain)).toEqual(['a.example', 'b.example']);
    expect((await store.listDue(at, 10, { only: ['waiting_for_release'] })).map((d) => d.domain)).toEqual(['e.example']);
    expect((await store.listDue(new Date('2026-01-01T00:05:00Z'), 1)).map((d) => d.domain)).toEqual(['a.example']);
  });

  it('gives a lease to one owner at a time, across connections to one database, until it expires', async () => {
    const [one, two] = [await open(), await open()];
    const now = new Date(t0);
    const later = new Date(now.getTime() + 30_000);
    const results = await Promise.all([one.acquireLease('service:toot', 'worker-1', now, 60_000), two.acquireLease('service:toot', 'worker-2', now, 60_000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = results[0] ? 'worker-1' : 'worker-2';
    const other = holder === 'worker-1' ? 'worker-2' : 'worker-1';
    expect(await two.acquireLease('service:toot', other, later, 60_000)).toBeNull();
    expect(await one.acquireLease('service:toot', holder, later, 60_000)).toMatchObject({ owner: holder });
    expect(await two.acquireLease('service:toot', other, new Date(later.getTime() + 60_000), 60_000)).toMatchObject({ owner: other });
    await one.releaseLease('service:toot', holder);
    expect(await one.acquireLease('service:toot', holder, later, 60_000)).toBeNull();
    await two.releaseLease('service:toot', other);
    expect(await one.acquireLease('service:toot', holder, later, 60_000)).toMatchObject({ owner: holder });
  });

  it("keeps a lease's fencing token while its holder renews in time, and grows it whenever the lease is taken anew", async () => {
    const store = await open();
    const at = (ms: number) => new Date(Date.parse(t0) + ms);
    const first = await store.acquireLease('service:toot', 'worker-1', at(0), 60_000);
    expect(await store.acquireLease('service:toot', 'worker-1', at(30_000), 60_000)).toEqual(first);
    // Expired and taken by another, then by the first again: a new token each time.
    const second = await store.acquireLease('service:toot', 'worker-2', at(100_000), 60_000);
    expect(second!.token).toBeGreaterThan(first!.token);
    await store.releaseLease('service:toot', 'worker-2');
    const third = await store.acquireLease('service:toot', 'worker-1', at(100_001), 60_000);
    expect(third!.token).toBeGreaterThan(second!.token);
    // Its holder renewing too late gets a new one too: another may have held it meanwhile.
    const late = await store.acquireLease('service:toot', 'worker-1', at(200_000), 60_000);
    expect(late!.token).toBeGreaterThan(third!.token);
  });

  it('refuses a write fenced by a lease that was taken anew, and writes nothing of it', async () => {
    const [paused, other] = [await open(), await open()];
    const at = (ms: number) => new Date(Date.parse(t0) + ms);
    await paused.putService(service('toot'));
    await paused.saveDomain(record());
    const stale = await paused.acquireLease('service:toot', 'worker-1', at(0), 60_000);
    // worker-1 stalls past its lease; worker-2 takes the service and steps the domain.
    const taken = await other.acquireLease('service:toot', 'worker-2', at(61_000), 60_000);
    await other.fencedBy(taken!).saveDomain(record({ state: 'attaching' }));
    const revision = await other.domainRevision('toot');

    await expect(paused.fencedBy(stale!).saveDomain(record({ state: 'cancelled' }))).rejects.toMatchObject({ code: 'conflict' });
    await expect(paused.fencedBy(stale!).putService({ ...service('toot'), status: 'needs_attention' })).rejects.toMatchObject({ code: 'conflict' });
    expect((await other.getDomain('toot', 'toot.example'))!.state).toBe('attaching');
    expect((await other.getService('toot'))!.status).toBe('ready');
    expect(await other.domainRevision('toot')).toBe(revision);
    // The holder's own fenced writes go through.
    await other.fencedBy(taken!).saveDomain(record({ state: 'active' }));
    expect((await paused.getDomain('toot', 'toot.example'))!.state).toBe('active');
  });

  it('records probes up to the capacity of the window, counted across connections to one database, and forgets old ones', async () => {
    const [one, two] = [await open(), await open()];
    const hour = 60 * 60_000;
    const at = (ms: number) => new Date(Date.parse(t0) + ms);
    const take = (store: KyselyRepository, ms: number) => store.takeProbe(at(ms), at(ms - hour), 3);
    const taken = await Promise.all([take(one, 0), take(two, 0), take(one, 0), take(two, 0), take(one, 0)]);
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(await take(two, 30 * 60_000)).toBe(false);
    expect(await two.probesSince(at(30 * 60_000 - hour))).toEqual({ count: 3, oldestAt: at(0) });
    expect(await take(one, hour - 1)).toBe(false);
    // An hour after the first probes, their slots are free again.
    expect([await take(two, hour), await take(one, hour), await take(two, hour), await take(one, hour)]).toEqual([true, true, true, false]);
    expect(await one.probesSince(at(2 * hour))).toEqual({ count: 0, oldestAt: null });
  });

  it('never records more probes than the capacity, however many processes take at once', { timeout: 60_000 }, async () => {
    const stores = [await open(), await open(), await open()];
    const hour = 60 * 60_000;
    // Rounds of 60 takers at once, each round in a window of its own (the one before forgotten).
    const counts: number[] = [];
    for (let round = 0; round < 10; round++) {
      const at = new Date(Date.parse(t0) + round * 2 * hour);
      const since = new Date(at.getTime() - hour);
      const taken = await Promise.all(Array.from({ length: 60 }, (_, index) => stores[index % 3]!.takeProbe(at, since, 7)));
      counts.push(taken.filter(Boolean).length, (await stores[0]!.probesSince(since)).count);
    }
    expect(counts).toEqual(Array.from({ length: 20 }, () => 7));
  });

  it('migrates once when several processes start on a new database at the same time', { timeout: 60_000 }, async () => {
    const child = join(import.meta.dirname, '../../test/support/open-store-child.ts');
    const starts = Array.from({ length: 3 }, () =>
      execFileAsync(process.execPath, ['--import', 'tsx', child], { env: { ...process.env, EDGEPLANE_DB: location } }),
    );
    expect((await Promise.allSettled(starts)).map((start) => (start.status === 'rejected' ? String(start.reason) : 'started'))).toEqual([
      'started',
      'started',
      'started',
    ]);
    const store = await open();
    await store.saveDomain(record());
    expect((await store.getDomain('toot', 'toot.example'))!.state).toBe('queued');
  });

  it('keeps services with their origins and status', async () => {
    const store = await open();
    const service = {
      name: 'toot',
      fastlyServiceId: null,
      activeVersion: null,
      configStoreId: null,
      configStoreName: 'edgeplane',
      origins: { main: { address: 'lb.example', port: 443, useTls: true }, static: { address: 'files.example', port: 443, useTls: true } },
      status: 'provisioning' as const,
      lastError: null,
      packagePath: null,
      createdAt: t0,
      updatedAt: t0,
    };
    await store.putService(service);
    await store.putService({ ...service, fastlyServiceId: 'svc1', status: 'ready' });
    expect(await store.listServices()).toEqual([{ ...service, fastlyServiceId: 'svc1', status: 'ready' }]);
  });

  it('keeps migration runs newest first, their token apart from them, the due ones listed, writes fenced', async () => {
    const [one, other] = [await open(), await open()];
    const at = (ms: number) => new Date(Date.parse(t0) + ms).toISOString();
    const older = migrationRun('mig_1', at(0), null);
    const newer = migrationRun('mig_2', at(1_000), at(5_000));
    await one.createMigration(older, 'old-token-1');
    await one.createMigration(newer, 'old-token-2');
    expect(await other.listMigrations('toot')).toEqual([newer, older]);
    expect(await other.listMigrations('elsewhere')).toEqual([]);
    expect(JSON.stringify(await other.getMigration('mig_2'))).not.toContain('old-token');
    expect(await other.getMigrationToken('mig_2')).toBe('old-token-2');
    expect(await other.listDueMigrations(new Date(at(4_999)), 10)).toEqual([]);
    expect(await other.listDueMigrations(new Date(at(5_000)), 10)).toEqual([{ id: 'mig_2', service: 'toot' }]);

    const stale = await one.acquireLease('service:toot', 'worker-1', new Date(at(0)), 60_000);
    const taken = await other.acquireLease('service:toot', 'worker-2', new Date(at(61_000)), 60_000);
    const stepped = { ...newer, stepsDone: 1, nextAttemptAt: at(70_000) };
    await other.fencedBy(taken!).saveMigration(stepped);
    await expect(one.fencedBy(stale!).saveMigration({ ...newer, status: 'cancelled' })).rejects.toMatchObject({ code: 'conflict' });
    expect(await one.getMigration('mig_2')).toEqual(stepped);
    expect(await one.getMigrationToken('mig_2')).toBe('old-token-2');
    await expect(one.saveMigration(migrationRun('mig_3', at(0), null))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('records the one Fastly account the database belongs to, across connections', async () => {
    const one = await open();
    expect(await one.getFastlyAccount()).toBeNull();
    await one.putFastlyAccount({ apiUrl: 'https://api.fastly.com', customerId: 'c1' }, new Date(t0));
    await one.putFastlyAccount({ apiUrl: 'http://127.0.0.1:8900', customerId: 'c2' }, new Date(t0));
    const two = await open();
    expect(await two.getFastlyAccount()).toEqual({ apiUrl: 'http://127.0.0.1:8900', customerId: 'c2' });
  });
});

describe('the store on a PostgreSQL server that goes away', () => {
  let server: PostgresServer;
  let url: string;
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
  }, 60_000);
  afterAll(() => server?.stop());

  it('fails readiness and writes as store_unavailable while the server is down, and works again once it is back', { timeout: 60_000 }, async () => {
    const store = await openStore(url);
    try {
      await store.checkWritable();
      await server.pause();
      await expect(store.checkWritable()).rejects.toMatchObject({ code: 'store_unavailable', detail: expect.stringContaining('cannot be reached') });
      // A write's failure is what the API answers 503 store_unavailable (with Retry-After) for.
      const failed = await store.saveDomain(record()).then(
        () => null,
        (error: unknown) => error,
      );
      expect(storeFailure(failed)).toMatchObject({ code: 'store_unavailable', detail: expect.stringContaining('cannot be reached') });
      await server.resume();
      // The pool drops the dead connections and opens new ones: no restart of ours needed.
      await vi.waitFor(() => store.checkWritable(), { timeout: 20_000, interval: 200 });
      await store.saveDomain(record());
      expect((await store.getDomain('toot', 'toot.example'))!.state).toBe('queued');
    } finally {
      await store.close();
    }
  });

  it('waits at start for a server that cannot be reached yet, saying so, instead of failing', { timeout: 60_000 }, async () => {
    await server.pause();
    const waits: string[] = [];
    const opening = openStore(url, { onUnreachable: (problem) => waits.push(problem.detail) });
    await vi.waitFor(() => expect(waits.length).toBeGreaterThan(0), { timeout: 20_000 });
    expect(waits[0]).toMatch(/^the database postgres:\/\/edgeplane@127\.0\.0\.1:\d+\/\w+ cannot be reached/);
    await server.resume();
    const store = await opening;
    await store.checkWritable();
    await store.close();
  });
});
