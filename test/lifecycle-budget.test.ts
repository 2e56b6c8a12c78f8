import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/clock';
import { attachHeldDomain, type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';

// The retry job's pacing against the simulator on a shared hand-moved clock: Fastly's 429 and its
// reset, the Stale condition after a week, and one probe budget shared fairly by many domains.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Creates service `toot` and attaches `domains` to it, each held by another account. */
async function attachHeldDomains(domains: readonly string[]): Promise<void> {
  const { controlPlane } = harness.opened;
  await controlPlane.createService(serviceInput('toot'));
  for (const domain of domains) {
    await harness.holdByOtherAccount(domain);
    await controlPlane.attachDomain('toot', { domain, role: 'static' });
  }
}

describe('a 429 from Fastly', () => {
  it('holds the domain (and every other step) until Fastly-RateLimit-Reset, then carries on', async () => {
    const writeLimit = 14;
    harness = await startLifecycleHarness({ sim: { writeLimitPerHour: writeLimit }, config: { writeLimitPerHour: writeLimit, budgetShare: 1 } });
    const clock = harness.clock as ManualClock;
    const { controlPlane, worker } = harness.opened;
    const windowStart = clock.now();
    await controlPlane.createService(serviceInput('toot'));
    await harness.holdByOtherAccount('toot.example');
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });

    await worker.tick();
    // Another tool of the same Fastly user spends the rest of the hour's writes.
    const service = await controlPlane.getService('toot');
    for (let write = 0; ; write++) {
      const response = await fetch(`${harness.sim.url}/resources/stores/config/${service.configStoreId}/item/other-tool-${write}`, {
        method: 'PUT',
        headers: { 'Fastly-Key': harness.sim.defaultAccount.token, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'item_value=x',
      });
      if (response.status === 429) break;
    }
    clock.advance(MINUTE);
    const callsAtProbe = harness.calls.length;
    expect(await worker.tick()).toBe(1);
    const record = await controlPlane.getDomain('toot', 'toot.example');
    expect(harness.calls.slice(callsAtProbe).filter((call) => call.outcome === 'rate_limited')).toHaveLength(1);
    expect(record.lastError?.code).toBe('rate_limited');
    expect(record.state).toBe('waiting_for_release');
    expect(record.nextAttemptAt).toBe(new Date(windowStart + HOUR).toISOString());
    expect(harness.opened.gateway.rateLimit.remaining).toBe(0);

    await harness.control('DELETE', '/holds/toot.example');
    clock.set(windowStart + HOUR - 1_000);
    const callsBefore = harness.calls.length;
    expect(await worker.tick()).toBe(0);
    expect(harness.calls.length).toBe(callsBefore);

    clock.set(windowStart + HOUR);
    const cached = await harness.tickUntil('toot', 'toot.example', 'cached');
    expect(cached.lastError).toBeNull();
    const state = await harness.state();
    // Ours was the only 429 besides the other tool's: nothing was sent while the limit held.
    expect(state.requests.filter((r) => r.status === 429)).toHaveLength(2);
  });
});

describe('a domain that is never released', () => {
  it('raises Stale after 7 days and keeps probing at the cap', async () => {
    harness = await startLifecycleHarness({ config: { retry: { initialMs: MINUTE, maxMs: 10 * MINUTE } } });
    const clock = harness.clock as ManualClock;
    const { controlPlane, worker } = harness.opened;
    await attachHeldDomain(harness);
    clock.advance(7 * 24 * HOUR - 5 * MINUTE);
    await worker.tick();
    let record = await controlPlane.getDomain('toot', 'toot.example');
    expect(record.conditions.some((c) => c.type === 'Stale')).toBe(false);

    clock.advance(10 * MINUTE);
    await worker.tick();
    record = await controlPlane.getDomain('toot', 'toot.example');
    expect(record.conditions.find((c) => c.type === 'Stale')).toMatchObject({ status: 'True', reason: 'WaitingTooLong' });
    expect(Date.parse(record.nextAttemptAt!) - clock.now()).toBe(10 * MINUTE);

    clock.advance(10 * MINUTE);
    expect(await worker.tick()).toBe(1);
    record = await controlPlane.getDomain('toot', 'toot.example');
    expect(record).toMatchObject({ state: 'waiting_for_release', attempts: 4 });

    // Released at last: Stale goes away with the wait.
    await harness.control('DELETE', '/holds/toot.example');
    const cached = await harness.tickUntil('toot', 'toot.example', 'cached', { stepMs: 10 * MINUTE });
    expect(cached.conditions.some((c) => c.type === 'Stale')).toBe(false);
  });
});

describe('many waiting domains', () => {
  it('share the budget evenly: none starves, each is probed once per fair interval (waiting × spacing)', async () => {
    // 40 writes an hour at 25 %: 10 probes an hour, one per 6 minutes and a tenth of the late
    // credit (the worker's poll, here the minute it ticks): 366 s; ten waiting domains make a
    // fair interval of 61 minutes, though each domain's own schedule asks every 1-2 minutes.
    harness = await startLifecycleHarness({ config: { writeLimitPerHour: 40, budgetShare: 0.25, pollIntervalMs: MINUTE } });
    const clock = harness.clock as ManualClock;
    const { controlPlane, worker } = harness.opened;
    const domains = Array.from({ length: 10 }, (_, index) => `d${index}.toot.example`);
    await attachHeldDomains(domains);
    await worker.tick();
    const spacing = (HOUR + MINUTE) / 10;
    const fairInterval = domains.length * spacing;
    const probedAt = new Map<string, number[]>(domains.map((domain) => [domain, []]));
    const attempts = new Map<string, number>(domains.map((domain) => [domain, 1]));
    const start = clock.now();
    while (clock.now() < start + 3 * HOUR) {
      clock.advance(MINUTE);
      if ((await worker.tick()) === 0) continue;
      for (const domain of domains) {
        const record = await controlPlane.getDomain('toot', domain);
        if (record.attempts > attempts.get(domain)!) probedAt.get(domain)!.push(clock.now() - start);
        attempts.set(domain, record.attempts);
      }
    }
    const all = [...probedAt.values()].flat().sort((a, b) => a - b);
    // The pace: one probe per spacing, 30 in the three hours; taken at minute ticks, never two
    // within 6 minutes (the slot's 366 s, less the credit of a tick).
    expect(all.length).toBe(30);
    expect(Math.min(...all.slice(1).map((at, index) => at - all[index]!))).toBe(6 * MINUTE);
    for (const [domain, times] of probedAt) {
      // Every domain's first probe within one fair interval, and each next one fair interval later.
      const gaps = [times[0]!, ...times.slice(1).map((at, index) => at - times[index]!)];
      expect({ domain, probes: times.length, longestGap: Math.max(...gaps) }).toEqual({ domain, probes: 3, longestGap: fairInterval });
    }
  });

  it('share one budget: the oldest due goes first, so every domain is probed before any is probed twice', async () => {
    // 8 writes an hour at a 25 % share: 2 probes an hour for all of them together.
    harness = await startLifecycleHarness({ config: { writeLimitPerHour: 8, budgetShare: 0.25, pollIntervalMs: 5 * MINUTE } });
    const clock = harness.clock as ManualClock;
    const { controlPlane, worker } = harness.opened;
    const domains = ['a', 'b', 'c', 'd', 'e'].map((label) => `${label}.toot.example`);
    await attachHeldDomains(domains);
    await worker.tick();
    const attempts = async () => Object.fromEntries(await Promise.all(domains.map(async (d) => [d, (await controlPlane.getDomain('toot', d)).attempts])));
    expect(Object.values(await attempts())).toEqual([1, 1, 1, 1, 1]);

    const probesPerHour: number[] = [];
    for (let hour = 0; hour < 5; hour++) {
      let probes = 0;
      for (let minute = 0; minute < 60; minute += 5) {
        clock.advance(5 * MINUTE);
        probes += await worker.tick();
      }
      probesPerHour.push(probes);
      const counts = Object.values(await attempts()) as number[];
      // Fair: no domain is more than one probe ahead of another.
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    expect(probesPerHour.every((probes) => probes <= 2)).toBe(true);
    expect(probesPerHour.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(9);
    expect(Object.values(await attempts())).toEqual([3, 3, 3, 3, 3]);

    // Right after a probe the budget has none to give for half an hour, yet a new domain that
    // nobody holds goes straight through: only probes of waiting domains draw from the budget.
    for (let probed = 0; probed < 1; ) {
      clock.advance(5 * MINUTE);
      probed = await worker.tick();
    }
    clock.advance(MINUTE);
    expect(await worker.tick()).toBe(0);
    await controlPlane.attachDomain('toot', { domain: 'new.toot.example', role: 'main' });
    expect(await worker.tick()).toBe(1);
    expect((await controlPlane.getDomain('toot', 'new.toot.example')).state).toBe('securing');
  });

  it('leave a free domain its steps even when more of them are due than a tick reads and the budget has a probe at every tick', async () => {
    // A tick reads 3 due records, a minute apart (a cron's pace): the budget (250 probes an hour,
    // the default 25 % of 1,000 writes) has a probe to give at every tick, and five waiting
    // domains, each due again a minute after its probe, are always more than the batch.
    harness = await startLifecycleHarness({ config: { batchSize: 3, pollIntervalMs: MINUTE } });
    const clock = harness.clock as ManualClock;
    const { controlPlane, worker } = harness.opened;
    const waiting = Array.from({ length: 5 }, (_, index) => `d${index}.toot.example`);
    await attachHeldDomains(waiting);
    for (let minute = 0; minute < 5; minute++) {
      await worker.tick();
      clock.advance(MINUTE);
    }
    const probes = async () => {
      const records = await Promise.all(waiting.map((domain) => controlPlane.getDomain('toot', domain)));
      expect(records.map((record) => record.state)).toEqual(waiting.map(() => 'waiting_for_release'));
      return records.reduce((sum, record) => sum + record.attempts, 0);
    };
    const probesBefore = await probes();

    await controlPlane.attachDomain('toot', { domain: 'new.toot.example', role: 'main' });
    const attachedAt = clock.now();
    await worker.tick();
    // Attached and its certificate asked for in the first tick, and the waiting ones lost no probe.
    expect((await controlPlane.getDomain('toot', 'new.toot.example')).state).toBe('securing');
    expect((await probes()) - probesBefore).toBe(1);

    clock.advance(MINUTE);
    await harness.tickUntil('toot', 'new.toot.example', 'cached', { stepMs: MINUTE });
    // The pace held throughout: one probe at every tick.
    const ticks = (clock.now() - attachedAt) / MINUTE + 1;
    expect((await probes()) - probesBefore).toBe(ticks);
  });
});
