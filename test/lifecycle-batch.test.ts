import { afterEach, describe, expect, it } from 'vitest';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { activeVersion, draftsOf, type SimStateDump, serviceNamed } from './support/sim-control';

// Many domains at once (issue 9, observation 8): domains of one service that are due together
// share the one draft and one validate + activation; a domain another account holds leaves the
// batch without blocking the others. Real gateway, simulator over 127.0.0.1.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

const activations = (state: SimStateDump, name: string) => serviceNamed(state, name).versions.reduce((sum, v) => sum + v.activations, 0);
const drafts = (state: SimStateDump, name: string) => draftsOf(serviceNamed(state, name));
const activeDomains = (state: SimStateDump, name: string) => activeVersion(serviceNamed(state, name))?.domains ?? [];
const hosts = (count: number) => Array.from({ length: count }, (_, index) => `site${index}.toot.example`);

async function attachAll(domains: string[]): Promise<void> {
  for (const domain of domains) await harness.opened.controlPlane.attachDomain('toot', { domain, role: 'static' });
}

describe('domains attached together', () => {
  it('share one draft and one activation; a held domain leaves the batch and the rest go live', async () => {
    harness = await startLifecycleHarness();
    await harness.opened.controlPlane.createService(serviceInput('toot'));
    const before = await harness.state();
    const domains = hosts(12);
    await harness.holdByOtherAccount('site3.toot.example');
    await attachAll(domains);

    await harness.opened.worker.tick();
    const state = await harness.state();
    // Provisioning activated version 1; the twelve domains took one more activation, not twelve.
    expect(activations(state, 'toot') - activations(before, 'toot')).toBe(1);
    expect(serviceNamed(state, 'toot').versions.map((v) => v.number)).toEqual([1, 2]);
    expect(drafts(state, 'toot')).toEqual([]);
    expect(activeDomains(state, 'toot').sort()).toEqual(domains.filter((d) => d !== 'site3.toot.example').sort());
    const records = await Promise.all(domains.map((domain) => harness.opened.controlPlane.getDomain('toot', domain)));
    for (const record of records) {
      if (record.domain === 'site3.toot.example') {
        expect(record).toMatchObject({ state: 'waiting_for_release', lastError: { code: 'domain_held_by_other_account' } });
      } else {
        expect(record.state).toBe('securing');
        expect(record.activeVersion).toBe(2);
        expect(record.history.find((e) => e.event === 'activated')?.message).toBe('Version 2 with the domain is active with 10 other domains');
      }
    }
    const service = await harness.opened.controlPlane.getService('toot');
    expect(service.activeVersion).toBe(2);

    // The held domain, once released, goes live with the next draft.
    await harness.control('DELETE', '/holds/site3.toot.example');
    const cached = await harness.tickUntil('toot', 'site3.toot.example', 'cached');
    expect(cached.activeVersion).toBe(3);
    for (const domain of domains) expect((await harness.opened.controlPlane.getDomain('toot', domain)).state).toBe('cached');
    expect(activations(await harness.state(), 'toot') - activations(before, 'toot')).toBe(2);
  });

  it('takes a domain refused at activation back out of the draft and activates the others, once', async () => {
    harness = await startLifecycleHarness();
    const service = await harness.opened.controlPlane.createService(serviceInput('toot'));
    const before = await harness.state();
    // A domain already in the draft (say, added just before a crash) that another account then took.
    const { gateway } = harness.opened;
    const fastlyId = service.fastlyServiceId!;
    const draft = await gateway.cloneVersion(fastlyId, 1);
    await gateway.addDomain(fastlyId, draft.number, 'site0.toot.example');
    await harness.holdByOtherAccount('site0.toot.example');
    await attachAll(hosts(4));

    await harness.opened.worker.tick();
    const state = await harness.state();
    expect(activations(state, 'toot') - activations(before, 'toot')).toBe(1);
    expect(activeDomains(state, 'toot').sort()).toEqual(['site1.toot.example', 'site2.toot.example', 'site3.toot.example']);
    expect(drafts(state, 'toot')).toEqual([]);
    const refused = await harness.opened.controlPlane.getDomain('toot', 'site0.toot.example');
    expect(refused).toMatchObject({ state: 'waiting_for_release', lastError: { code: 'domain_held_by_other_account' } });
    expect(refused.lastError?.detail).toContain("Domain 'site0.toot.example'");
  });

  it('costs few writes per domain: one add each, one clone and one activation for all', async () => {
    harness = await startLifecycleHarness();
    await harness.opened.controlPlane.createService(serviceInput('toot'));
    const domains = hosts(20);
    await attachAll(domains);
    const requestsBefore = (await harness.state()).requests.length;
    await harness.opened.worker.tick();
    const writes = (await harness.state()).requests.slice(requestsBefore).filter((r) => r.method !== 'GET');
    const count = (pattern: RegExp) => writes.filter((r) => pattern.test(r.path)).length;
    expect(count(/\/version\/\d+\/clone$/)).toBe(1);
    expect(count(/\/version\/\d+\/activate$/)).toBe(1);
    expect(count(/\/version\/\d+\/domain$/)).toBe(20);
  });
});
