import { afterEach, describe, expect, it } from 'vitest';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { startWorkerProcess } from './support/worker-processes';

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

    const workers = ['worker-a', 'worker-b'].map((id) => startWorkerProcess(harness, id, { WRITE_LIMIT: String(WRITE_LIMIT), SHARE: String(SHARE) }));
    await Promise.all(workers.map((worker) => worker.started));
    // The first attempt of each domain is not a probe; then one probe, and well past it (every
    // domain due again many times over at 20-200 ms delays) nothing more within the 6 minutes.
    const deadline = Date.now() + 30_000;
    while ((await attempts()) < domains.length + PROBES_PER_SPACING && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const exits = await Promise.all(workers.map((worker) => worker.stop()));
    expect(exits).toEqual([0, 0]);

    expect(await attempts()).toBe(domains.length + PROBES_PER_SPACING);
    const records = (await controlPlane.listDomains('toot')).items;
    expect(records.map((record) => record.state)).toEqual(domains.map(() => 'waiting_for_release'));
    expect(records.reduce((sum, record) => sum + record.attempts, 0)).toBe(domains.length + PROBES_PER_SPACING);
  });
});
