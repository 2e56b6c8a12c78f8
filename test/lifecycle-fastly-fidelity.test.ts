import { afterEach, describe, expect, it } from 'vitest';
import type { FastlyGateway } from '../src/fastly/gateway';
import { ProbeBudget } from '../src/lifecycle/budget';
import { type LifecycleContext, silentLogger } from '../src/lifecycle/context';
import { edgePackageFile } from '../src/lifecycle/edge-package';
import { reconcileDomain } from '../src/lifecycle/reconcile';
import { SharedProbeBudget } from '../src/lifecycle/shared-budget';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { type SimStateDump, serviceNamed } from './support/sim-control';

// The lifecycle against the simulator where it follows real Fastly's stricter answers: TLS
// subscriptions only for domains on an active version, deleted only with force while a domain is
// active, and 422 "Version locked" for a draft locked under our feet (docs/fastly-facts.md).

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

const versionsOf = (state: SimStateDump, name: string) => serviceNamed(state, name).versions;

describe('the seed story, then detach', () => {
  it('ends cancelled with no subscription and no domain left on Fastly, never needing attention', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    // The seed story: a previous account holds the domain, lets go, Fastly releases it after its delay.
    await controlPlane.createService(serviceInput('toot'));
    const previous = await harness.holdByOtherAccount('toot.example');
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await harness.tickUntil('toot', 'toot.example', 'waiting_for_release');
    await harness.control('DELETE', '/holds/toot.example');
    const cached = await harness.tickUntil('toot', 'toot.example', 'cached');
    expect(cached.tls?.state).toBe('issued');

    const removed = await controlPlane.removeDomain('toot', 'toot.example');
    expect(removed).toMatchObject({ state: 'cancelled', activeVersion: null, tls: null, caching: false, lastError: null });
    expect(removed.history.map((event) => event.to)).not.toContain('needs_attention');
    expect(removed.history.at(-1)).toMatchObject({ from: 'cached', to: 'cancelled', event: 'detached' });

    const state = await harness.state();
    expect(state.tlsSubscriptions).toEqual([]);
    expect(state.managedDomains).toEqual([]);
    const versions = versionsOf(state, 'toot');
    expect(versions.find((v) => v.active)?.domains).not.toContain('toot.example');
    expect(versions.filter((v) => !v.locked).flatMap((v) => v.domains)).not.toContain('toot.example');
    // The subscription went with force (its domain was still active), once, and nothing was refused.
    const tlsDeletes = state.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/tls/'));
    expect(tlsDeletes.map((r) => r.status)).toEqual([204]);
    // Fastly refused no write but the probes made while the previous account held the domain.
    const refusedWrites = state.requests.filter((r) => r.method !== 'GET' && r.status >= 400 && r.customerId !== previous);
    expect(refusedWrites.length).toBeGreaterThan(0);
    expect(refusedWrites.filter((r) => !(r.method === 'POST' && r.path.endsWith('/domain') && r.status === 400))).toEqual([]);
  });
});

describe('a draft locked between reading it and writing to it', () => {
  it('gets 422 "Version locked" as version_locked, and the next attempt clones a fresh draft', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane, store } = harness.opened;
    const service = await controlPlane.createService(serviceInput('toot'));
    const queued = await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });

    // Someone locks the draft just before our first write to it.
    const real = harness.opened.gateway;
    const lockFirst: FastlyGateway = Object.create(real);
    lockFirst.addDomain = async (serviceId, version, domain, comment) => {
      await fetch(`${harness.sim.url}/service/${serviceId}/version/${version}/lock`, {
        method: 'PUT',
        headers: { 'Fastly-Key': harness.sim.defaultAccount.token },
      });
      lockFirst.addDomain = real.addDomain.bind(real);
      return real.addDomain(serviceId, version, domain, comment);
    };
    const clock = harness.clock;
    const ctx: LifecycleContext = {
      gateway: lockFirst,
      store,
      clock,
      random: () => 0.5,
      retry: { initialMs: 60_000, maxMs: 600_000 },
      budget: new SharedProbeBudget(new ProbeBudget({ clock, writeLimitPerHour: 1000, share: 0.25 }), store, clock),
      edgePackage: edgePackageFile(harness.packagePath),
      logger: silentLogger,
    };
    const refused = await reconcileDomain(ctx, queued);
    expect(refused).toMatchObject({
      state: 'attaching',
      lastError: { code: 'version_locked', detail: `Version '2' for service '${service.fastlyServiceId}' is locked` },
    });
    expect(refused.nextAttemptAt).not.toBeNull();
    await store.saveDomain(refused);

    const cached = await harness.tickUntil('toot', 'toot.example', 'cached');
    expect(cached.history.map((event) => event.to)).not.toContain('needs_attention');
    expect(cached.activeVersion).toBe(3);
    expect(versionsOf(await harness.state(), 'toot').map((v) => [v.number, v.locked, v.activations])).toEqual([
      [1, true, 1],
      [2, true, 0],
      [3, true, 1],
    ]);
  });
});
