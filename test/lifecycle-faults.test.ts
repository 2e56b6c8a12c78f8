import { afterEach, describe, expect, it } from 'vitest';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { draftsOf, serviceNamed } from './support/sim-control';

// Fastly having a bad day: 30 % of answers are 5xx, every answer is slow. The lifecycle must
// still converge, with no duplicate activation, and without a storm of calls.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

/** Hold, attach, one refusal, release, then run until cached; returns the Fastly calls it took. */
async function attachThroughRelease(domain: string): Promise<number> {
  const { controlPlane, worker } = harness.opened;
  const before = harness.calls.length;
  await harness.holdByOtherAccount(domain);
  await controlPlane.attachDomain('toot', { domain, role: domain.startsWith('files.') ? 'static' : 'main' });
  await worker.tick();
  await harness.control('DELETE', `/holds/${domain}`);
  await harness.tickUntil('toot', domain, 'cached', { stepMs: 30_000, maxTicks: 400 });
  return harness.calls.length - before;
}

describe('with 30 % 5xx and latency injected', () => {
  it('the lifecycle converges, activates once, and stays under a bound of Fastly calls', { timeout: 120_000 }, async () => {
    harness = await startLifecycleHarness({ sim: { releaseDelayMs: 120_000, tlsDelayMs: 30_000 } });
    await harness.opened.controlPlane.createService(serviceInput('toot'));
    const calm = await attachThroughRelease('toot.example');

    const faults = await harness.control('POST', '/faults', { errorRate: 0.3, statuses: [500, 502, 503], latencyMs: 15 });
    expect(faults.status).toBe(200);
    const stormy = await attachThroughRelease('files.toot.example');
    await harness.control('POST', '/faults', { errorRate: 0 });

    const state = await harness.state();
    const injected = state.requests.filter((r) => r.status >= 500).length;
    expect(injected).toBeGreaterThan(0);
    const versions = serviceNamed(state, 'toot').versions;
    const activationsWith = (domain: string) => versions.filter((v) => v.domains.includes(domain)).reduce((n, v) => n + v.activations, 0);
    // The second domain rode on a version that also holds the first: count the versions that added it.
    const firstWithFiles = versions.find((v) => v.domains.includes('files.toot.example'));
    expect(firstWithFiles?.activations).toBe(1);
    expect(activationsWith('toot.example')).toBeGreaterThanOrEqual(2);
    expect(draftsOf(serviceNamed(state, 'toot')).length).toBeLessThanOrEqual(1);
    const record = await harness.opened.controlPlane.getDomain('toot', 'files.toot.example');
    expect(record.history.map((e) => e.to)).toEqual(['queued', 'attaching', 'waiting_for_release', 'attaching', 'active', 'securing', 'cached']);
    // Failed answers cost a retry each, not a restart of the whole attach: at most 3× the calm run.
    expect(stormy).toBeLessThanOrEqual(3 * calm);
  });
});
