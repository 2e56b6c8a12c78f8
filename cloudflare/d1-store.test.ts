import type { D1Database } from '@cloudflare/workers-types';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../src/model';
import type { KyselyRepository } from '../src/store/kysely-repository';
import { record, t0 } from '../test/support/domain-record';
import { openD1Store } from './d1-store';

// The store on a real D1 (workerd's, through Miniflare), opened twice on one database the way
// two isolates of the Worker share it.

let mf: Miniflare;
let d1: D1Database;
let one: KyselyRepository;
let two: KyselyRepository;

beforeAll(async () => {
  mf = new Miniflare({ modules: true, script: 'export default { fetch: () => new Response(null) }', d1Databases: { DB: 'edgeplane-test' }, cf: false });
  d1 = (await mf.getD1Database('DB')) as unknown as D1Database;
  one = await openD1Store(d1, { migrate: true });
  // A second isolate starting on the migrated database runs the migrations again: nothing to do.
  two = await openD1Store(d1, { migrate: true });
});

afterAll(async () => {
  await mf?.dispose();
});

describe('the store on D1', () => {
  it('saves a record with its history in one batch, more events than one INSERT may bind, and appends only new ones', async () => {
    const events = Array.from(
      { length: 30 },
      (_, index): HistoryEvent => ({ at: t0, from: 'attaching', to: 'waiting_for_release', event: 'refused', message: `probe ${index}` }),
    );
    const first = record({ domain: 'long.example', history: [...record().history, ...events] });
    await one.saveDomain(first);
    const next = {
      ...first,
      state: 'cached' as const,
      caching: true,
      history: [...first.history, { at: t0, from: 'securing' as const, to: 'cached' as const, event: 'cached', message: 'on' }],
    };
    await two.saveDomain(next);
    await one.saveDomain(next);
    expect(await two.getDomain('toot', 'long.example')).toEqual(next);
    expect(await one.countDomainsByState()).toMatchObject({ cached: 1 });
  });

  it('gives a lease to one owner at a time, by a conditional UPDATE, until it expires', async () => {
    const now = new Date(t0);
    const later = new Date(now.getTime() + 30_000);
    const results = await Promise.all([one.acquireLease('service:toot', 'cron-1', now, 60_000), two.acquireLease('service:toot', 'cron-2', now, 60_000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = results[0] ? 'cron-1' : 'cron-2';
    const other = holder === 'cron-1' ? 'cron-2' : 'cron-1';
    expect(await two.acquireLease('service:toot', other, later, 60_000)).toBeNull();
    expect(await one.acquireLease('service:toot', holder, later, 60_000)).toMatchObject({ owner: holder });
    // The holder was cut off: once its lease expired, another invocation takes it.
    const taken = await two.acquireLease('service:toot', other, new Date(later.getTime() + 60_000), 60_000);
    expect(taken).toMatchObject({ owner: other });
    await one.releaseLease('service:toot', holder);
    expect(await one.acquireLease('service:toot', holder, later, 60_000)).toBeNull();
    // Writes fenced by the cut-off holder's lease are refused; the new holder's go through.
    const stale = { key: 'service:toot', owner: holder, token: taken!.token - 1 };
    await expect(one.fencedBy(stale).saveDomain(record({ service: 'toot', domain: 'fenced.example', state: 'cancelled' }))).rejects.toMatchObject({
      code: 'conflict',
    });
    await two.fencedBy(taken!).saveDomain(record({ service: 'toot', domain: 'fenced.example' }));
    expect((await one.getDomain('toot', 'fenced.example'))!.state).toBe('queued');
  });

  it('spends the shared probe budget at most to its capacity, whichever isolate asks', async () => {
    const hour = 60 * 60_000;
    const at = (ms: number) => new Date(Date.parse(t0) + ms);
    const take = (store: KyselyRepository, ms: number) => store.takeProbe(at(ms), at(ms - hour), 3);
    const taken = await Promise.all([take(one, 0), take(two, 0), take(one, 0), take(two, 0), take(one, 0)]);
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(await two.probesSince(at(30 * 60_000 - hour))).toEqual({ count: 3, oldestAt: at(0) });
    expect([await take(two, hour), await take(one, hour), await take(two, hour), await take(one, hour)]).toEqual([true, true, true, false]);
  });

  it('lists due records, the oldest due first', async () => {
    await one.saveDomain(record({ service: 'due', domain: 'b.example', nextAttemptAt: '2025-12-31T23:02:00.000Z' }));
    await one.saveDomain(record({ service: 'due', domain: 'a.example', nextAttemptAt: '2025-12-31T23:01:00.000Z' }));
    await one.saveDomain(record({ service: 'due', domain: 'c.example', nextAttemptAt: null }));
    const due = await two.listDue(new Date('2025-12-31T23:05:00Z'), 10);
    expect(due).toEqual([
      { service: 'due', domain: 'a.example' },
      { service: 'due', domain: 'b.example' },
    ]);
  });
});
