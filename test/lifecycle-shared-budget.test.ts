import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { spawnWorker } from './support/spawn-worker';

// Two worker processes on one database spend one probe budget between them: its pace (one probe
// per spacing) is kept in the database, not per process.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

const WRITE_LIMIT = 40;
const SHARE = 0.25;
/** 25 % of 40 writes an hour: 10 probes an hour, one per 6 minutes. */
const PROBES_PER_SPACING = 1;

describe('two worker processes on one database', () => {
  it('together probe no faster than the pace of the budget', { timeout: 60_000 }, async () => {
    harness = await startLifecycleHarness({ manualClock: false, sim: { releaseDelayMs: 0, tlsDelayMs: 0 } });
    const { controlPlane } = harness.opened;
    const service = await controlPlane.createService(serviceInput('toot'));
    const domains = ['a', 'b', 'c', 'd', 'e', 'f'].map((label) => `${label}.toot.example`);
    for (const domain of domains) {
      await harness.holdByOtherAccount(domain);
      await controlPlane.attachDomain('toot', { domain, role: 'static' });
    }
    const addDomainPath = new RegExp(`^/service/${service.fastlyServiceId}/version/\\d+/domain$`);
    const attempts = async () => (await harness.state()).requests.filter((r) => r.method === 'POST' && addDomainPath.test(r.path)).length;

    const workers = ['worker-a', 'worker-b'].map((id) => spawnWorker(harness, id, { WRITE_LIMIT: String(WRITE_LIMIT), SHARE: String(SHARE) }));
    await Promise.all(workers.map((worker) => worker.started));
    // The first attempt of each domain is not a probe; then one probe.
    await vi.waitFor(async () => expect(await attempts(), 'attempts to add a domain').toBeGreaterThanOrEqual(domains.length + PROBES_PER_SPACING), {
      timeout: 30_000,
      interval: 20,
    });
    // Then nothing more within the 6 minutes: once every domain is due again (retries come after
    // 20-200 ms), each worker ends three more ticks, any of which would probe if the budget let it.
    await vi.waitFor(
      async () => {
        const notDue = (await controlPlane.listDomains('toot')).items.filter(
          (record) => record.nextAttemptAt === null || Date.parse(record.nextAttemptAt) > Date.now(),
        );
        expect(notDue.map((record) => `${record.domain} due at ${record.nextAttemptAt}`)).toEqual([]);
      },
      { timeout: 10_000, interval: 20 },
    );
    const ticksWhenDue = workers.map((worker) => worker.ticks());
    const fewestTicksSince = () => Math.min(...workers.map((worker, index) => worker.ticks() - ticksWhenDue[index]!));
    await vi.waitFor(() => expect(fewestTicksSince(), 'ticks the slower worker ended since every domain was due').toBeGreaterThanOrEqual(3), {
      timeout: 10_000,
      interval: 20,
    });
    const exits = await Promise.all(workers.map((worker) => worker.stop()));
    expect(exits).toEqual([0, 0]);

    expect(await attempts()).toBe(domains.length + PROBES_PER_SPACING);
    const records = (await controlPlane.listDomains('toot')).items;
    expect(records.map((record) => record.state)).toEqual(domains.map(() => 'waiting_for_release'));
    expect(records.reduce((sum, record) => sum + record.attempts, 0)).toBe(domains.length + PROBES_PER_SPACING);
  });
});
