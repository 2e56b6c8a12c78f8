import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Sleep, timerSleep } from '../src/poll-loop';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { draftsOf, serviceNamed } from './support/sim-control';
import { spawnWorker } from './support/spawn-worker';

// Two retry worker processes on one database file: the service leases keep them from ever
// stepping the same record at once. And a worker's stop() drains its step in flight.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

describe('two worker processes on one database', () => {
  it('share the work without stepping a record twice', { timeout: 60_000 }, async () => {
    harness = await startLifecycleHarness({ manualClock: false, sim: { releaseDelayMs: 0, tlsDelayMs: 0 } });
    const { controlPlane } = harness.opened;
    const domains: Array<[string, string]> = [];
    for (const name of ['one', 'two', 'three']) {
      await controlPlane.createService({ ...serviceInput(name), configStoreName: `store-${name}` });
      domains.push([name, `${name}.toot.example`], [name, `files.${name}.toot.example`]);
    }
    for (const [service, domain] of domains) await controlPlane.attachDomain(service, { domain, role: domain.startsWith('files.') ? 'static' : 'main' });

    const workers = ['worker-a', 'worker-b'].map((id) => spawnWorker(harness, id));
    await Promise.all(workers.map((worker) => worker.started));
    const readRecords = () => Promise.all(domains.map(([service, domain]) => controlPlane.getDomain(service, domain)));
    await vi.waitFor(
      async () => {
        const notCached = (await readRecords()).filter((record) => record.state !== 'cached');
        expect(notCached.map((record) => `${record.domain}=${record.state}`)).toEqual([]);
      },
      { timeout: 40_000, interval: 50 },
    );
    const records = await readRecords();
    const exits = await Promise.all(workers.map((worker) => worker.stop()));
    expect(exits).toEqual([0, 0]);

    const state = await harness.state();
    for (const record of records) {
      expect(record.state, record.domain).toBe('cached');
      expect(
        record.history.map((event) => event.to),
        record.domain,
      ).toEqual(['queued', 'attaching', 'active', 'securing', 'cached']);
      const service = serviceNamed(state, record.service);
      // The version that first held the domain was activated exactly once.
      expect(service.versions.find((v) => v.domains.includes(record.domain))?.activations, record.domain).toBe(1);
      expect(draftsOf(service).length).toBeLessThanOrEqual(1);
      expect(state.tlsSubscriptions.filter((sub) => sub.domains.includes(record.domain))).toHaveLength(1);
    }
  });
});

describe('a worker', () => {
  it('stop() waits for the step in flight to be persisted', async () => {
    // The loop's wait between ticks is watched: each wait that runs out starts a tick, so every
    // tick the loop started has ended when the ticks ended are one more than the waits run out.
    let ticksEnded = 0;
    let waitsRunOut = 0;
    let waiting = 0;
    const workerSleep: Sleep = async (ms, signal) => {
      waiting += 1;
      await timerSleep(ms, signal);
      waiting -= 1;
      if (!signal.aborted) waitsRunOut += 1;
    };
    harness = await startLifecycleHarness({
      manualClock: false,
      sim: { releaseDelayMs: 0, tlsDelayMs: 0 },
      config: { pollIntervalMs: 5, workerSleep, onWorkerTick: () => (ticksEnded += 1) },
    });
    const { controlPlane, worker } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await harness.control('POST', '/faults', { latencyMs: 30 });
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    worker.start();
    await vi.waitFor(async () => expect((await controlPlane.getDomain('toot', 'toot.example')).state).not.toBe('queued'), { timeout: 10_000, interval: 5 });
    await worker.stop();
    const record = await controlPlane.getDomain('toot', 'toot.example');
    // Whatever was in flight finished and was saved: the record is not left mid-step.
    expect(['active', 'securing', 'cached']).toContain(record.state);
    // And nothing can call Fastly any more: no tick is in flight, and the loop is in no wait
    // (the one it was in was cut short), so no next tick comes.
    expect({ ticksEnded, waiting }).toEqual({ ticksEnded: waitsRunOut + 1, waiting: 0 });
  });
});
