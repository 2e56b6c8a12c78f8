import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/clock';
import { openControlPlane } from '../src/lifecycle';
import { SiteConfigSchema } from '../src/site-config-schema';
import { attachHeldDomain, type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { activeVersion, configStoreNamed, type SimStateDump, serviceNamed } from './support/sim-control';

// What a person does to a domain, and what needs one: own-service conflicts, move, retry now,
// detach, the caching override and purges. Real gateway, simulator over 127.0.0.1.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

const activeDomains = (state: SimStateDump, name: string) => activeVersion(serviceNamed(state, name))?.domains ?? [];
const items = (state: SimStateDump) => configStoreNamed(state, 'edgeplane-toot').items;

/** A service of our own Fastly account that serves `domain`, made without edgeplane. */
async function legacyServiceWith(domain: string): Promise<void> {
  const { gateway } = harness.opened;
  const legacy = await gateway.createService('legacy', 'wasm');
  await gateway.uploadPackage(legacy.id, 1, readFileSync(harness.packagePath));
  await gateway.addDomain(legacy.id, 1, domain);
  await gateway.activateVersion(legacy.id, 1);
}

describe('a domain held by another service of our own account', () => {
  it('needs attention, with Fastly text verbatim; attached again with move it is taken over', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await legacyServiceWith('toot.example');

    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    const stuck = await harness.tickUntil('toot', 'toot.example', 'needs_attention');
    expect(stuck.lastError).toEqual({ code: 'domain_held_by_own_service', detail: "Domain 'toot.example' is already taken by service 'legacy'" });
    expect(stuck.nextAttemptAt).toBeNull();
    expect(stuck.conditions.find((c) => c.type === 'Ready')?.message).toContain('move');
    expect(await harness.opened.worker.tick()).toBe(0);

    const requeued = await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main', move: true });
    expect(requeued).toMatchObject({ state: 'queued', move: true });
    await harness.tickUntil('toot', 'toot.example', 'cached');
    const state = await harness.state();
    expect(activeDomains(state, 'legacy')).toEqual([]);
    expect(activeDomains(state, 'toot')).toEqual(['toot.example']);
  });
});

describe('a certificate Fastly cannot issue', () => {
  it('needs attention with the DNS records to fix; after a retry Fastly retries the same subscription', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await harness.control('POST', '/tls-failures', { domain: 'toot.example' });
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    const failed = await harness.tickUntil('toot', 'toot.example', 'needs_attention');
    expect(failed.lastError?.code).toBe('tls_failed');
    expect(failed.lastError?.detail).toMatch(/^Fastly could not issue a certificate for toot\.example .*then retry\.$/);
    expect(failed.conditions.find((c) => c.type === 'CertificateIssued')).toMatchObject({ status: 'False', reason: 'Failed' });
    const failedSubscription = failed.tls?.subscriptionId;

    const requestsBefore = (await harness.state()).requests.length;
    await controlPlane.retryDomain('toot', 'toot.example');
    const cached = await harness.tickUntil('toot', 'toot.example', 'cached');
    expect(cached.tls?.subscriptionId).toBe(failedSubscription);
    const state = await harness.state();
    expect(state.tlsSubscriptions.map((sub) => [sub.id, sub.state])).toEqual([[failedSubscription, 'issued']]);
    // Retried the way Fastly documents it (PATCH with state "retry"), not deleted and made again.
    const tlsWrites = state.requests.slice(requestsBefore).filter((r) => r.path.startsWith('/tls/') && r.method !== 'GET');
    expect(tlsWrites.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /tls/subscriptions/${failedSubscription}`]);
    expect(
      serviceNamed(state, 'toot')
        .versions.filter((v) => v.domains.includes('toot.example'))
        .map((v) => v.activations),
    ).toEqual([1]);
    expect(cached.history.map((e) => e.to)).toEqual([
      'queued',
      'attaching',
      'active',
      'securing',
      'needs_attention',
      'queued',
      'attaching',
      'active',
      'securing',
      'cached',
    ]);
  });
});

describe('a draft someone else locked', () => {
  it('is not reused: the next attempt clones a new draft and activates that one', async () => {
    harness = await startLifecycleHarness();
    const service = await attachHeldDomain(harness);
    const locked = await fetch(`${harness.sim.url}/service/${service.fastlyServiceId}/version/2/lock`, {
      method: 'PUT',
      headers: { 'Fastly-Key': harness.sim.defaultAccount.token },
    });
    expect(locked.status).toBe(200);
    await harness.control('DELETE', '/holds/toot.example');
    const cached = await harness.tickUntil('toot', 'toot.example', 'cached');
    expect(cached.activeVersion).toBe(3);
    const versions = serviceNamed(await harness.state(), 'toot').versions.map((v) => [v.number, v.locked, v.activations]);
    expect(versions).toEqual([
      [1, true, 1],
      [2, true, 0],
      [3, true, 1],
    ]);
  });
});

describe('a token Fastly refuses', () => {
  it('fails service creation with unauthorized, and the service says so', async () => {
    harness = await startLifecycleHarness();
    const other = await openControlPlane({ fastly: { token: 'not-a-token', baseUrl: harness.sim.url }, dbPath: ':memory:', packagePath: harness.packagePath });
    try {
      await expect(other.controlPlane.createService(serviceInput('toot'))).rejects.toMatchObject({ code: 'unauthorized' });
      expect(await other.controlPlane.getService('toot')).toMatchObject({ status: 'needs_attention', lastError: { code: 'unauthorized' } });
    } finally {
      await other.close();
    }
  });
});

describe('retry now', () => {
  it('makes a waiting domain due at once and restarts the fast phase of its backoff', async () => {
    harness = await startLifecycleHarness({ config: { retry: { initialMs: 60_000, maxMs: 600_000 } } });
    const clock = harness.clock as ManualClock;
    const { controlPlane, worker } = harness.opened;
    await attachHeldDomain(harness);
    // Two hours on, the schedule has slowed down past the fast phase.
    clock.advance(2 * 60 * 60_000);
    await worker.tick();
    const slow = await controlPlane.getDomain('toot', 'toot.example');
    expect(Date.parse(slow.nextAttemptAt!) - clock.now()).toBe(600_000);

    const retried = await controlPlane.retryDomain('toot', 'toot.example');
    expect(Date.parse(retried.nextAttemptAt!)).toBe(clock.now());
    expect(retried.history.at(-1)?.event).toBe('retry_requested');
    // The budget paces probes (one per 14.4 s at 250 an hour): the retry waits for the next slot.
    expect(await worker.tick()).toBe(0);
    clock.advance(15_000);
    expect(await worker.tick()).toBe(1);
    const fast = await controlPlane.getDomain('toot', 'toot.example');
    expect(fast).toMatchObject({ state: 'waiting_for_release', attempts: 3, waitingSince: slow.waitingSince });
    expect(Date.parse(fast.nextAttemptAt!) - clock.now()).toBe(60_000);
  });
});

describe('removing a domain', () => {
  it('detaches a cached domain: caching off, TLS subscription, then the domain off a new active version', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await controlPlane.attachDomain('toot', { domain: 'files.toot.example', role: 'static' });
    await harness.tickUntil('toot', 'files.toot.example', 'cached');
    const before = await harness.state();
    expect(SiteConfigSchema.parse(JSON.parse(items(before).site ?? 'null')).hosts).toEqual({ 'files.toot.example': { role: 'static' } });
    const requestsBefore = before.requests.length;

    const removed = await controlPlane.removeDomain('toot', 'files.toot.example');
    expect(removed).toMatchObject({ state: 'cancelled', activeVersion: null, tls: null, caching: false, nextAttemptAt: null });
    expect(removed.history.at(-1)).toMatchObject({ from: 'cached', to: 'cancelled', event: 'detached' });

    const after = await harness.state();
    expect(activeDomains(after, 'toot')).toEqual([]);
    expect(after.tlsSubscriptions).toEqual([]);
    expect(items(after)['caching:files.toot.example']).toBeUndefined();
    expect(SiteConfigSchema.parse(JSON.parse(items(after).site ?? 'null')).hosts).toEqual({});
    // Fastly's order: the caching switch first, the TLS subscription before the domain.
    const writes = after.requests
      .slice(requestsBefore)
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${decodeURIComponent(r.path).replace(/[A-Za-z0-9]{20,}/g, 'ID')}`);
    expect(writes).toEqual([
      'DELETE /resources/stores/config/ID/item/caching:files.toot.example',
      'PUT /resources/stores/config/ID/item/site',
      'DELETE /tls/subscriptions/ID',
      'PUT /service/ID/version/2/clone',
      'DELETE /service/ID/version/3/domain/files.toot.example',
      'PUT /service/ID/version/3/activate',
    ]);
    // Removing again changes nothing.
    expect(await controlPlane.removeDomain('toot', 'files.toot.example')).toEqual(removed);
  });

  it('says what it removed, and attached again the domain starts over: fresh conditions, no old DNS records (issue 9, observation 7)', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await controlPlane.attachDomain('toot', { domain: 'files.toot.example', role: 'static' });
    const cached = await harness.tickUntil('toot', 'files.toot.example', 'cached');
    const subscription = cached.tls!.subscriptionId;

    const removed = await controlPlane.removeDomain('toot', 'files.toot.example');
    const condition = (type: string) => removed.conditions.find((c) => c.type === type);
    expect(removed.conditions.filter((c) => c.status === 'True')).toEqual([]);
    expect(condition('CertificateIssued')).toMatchObject({ status: 'False', reason: 'Removed', message: `TLS subscription ${subscription} removed` });
    expect(condition('Cached')).toMatchObject({ status: 'False', reason: 'Removed', message: 'caching:files.toot.example removed' });
    expect(condition('Attached')).toMatchObject({ status: 'False', reason: 'Removed' });
    expect(condition('Ready')).toMatchObject({ status: 'False', reason: 'Cancelled' });
    expect(condition('Ready')!.message).toBe(
      `Detached; removed caching switch caching:files.toot.example, TLS subscription ${subscription}, the domain (version 3 without it is active)`,
    );

    const again = await controlPlane.attachDomain('toot', { domain: 'files.toot.example', role: 'static' });
    expect(again).toMatchObject({ state: 'queued', tls: null, attempts: 0, lastError: null, activeVersion: null });
    expect(again.conditions.map((c) => `${c.type}=${c.status} ${c.reason}`)).toEqual(['Ready=False Queued']);
    expect(again.history.slice(-2).map((e) => e.event)).toEqual(['detached', 'attach_requested']);
    const cachedAgain = await harness.tickUntil('toot', 'files.toot.example', 'cached');
    expect(cachedAgain.tls!.subscriptionId).not.toBe(subscription);
    expect(cachedAgain.conditions.find((c) => c.type === 'CertificateIssued')).toMatchObject({ status: 'True', reason: 'Issued' });
  });

  it('cancels a waiting domain without touching the active version, and it can be attached again', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane, worker } = harness.opened;
    await attachHeldDomain(harness);
    const cancelled = await controlPlane.removeDomain('toot', 'toot.example');
    expect(cancelled).toMatchObject({ state: 'cancelled', nextAttemptAt: null });
    expect(cancelled.history.at(-1)?.event).toBe('cancelled');
    expect(serviceNamed(await harness.state(), 'toot').versions.filter((v) => v.activations > 0)).toHaveLength(1);
    expect(await worker.tick()).toBe(0);
    const again = await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    expect(again.state).toBe('queued');
  });
});

/** Spends the rest of the hour's write limit, so any further Fastly write answers 429. */
async function exhaustWriteLimit(storeId: string): Promise<void> {
  for (let write = 0; ; write++) {
    try {
      await harness.opened.gateway.putConfigItem(storeId, 'filler', String(write));
    } catch (error) {
      expect((error as { code?: string }).code).toBe('rate_limited');
      return;
    }
  }
}

describe('cancelling a domain Fastly never had (issue 9, observation 8)', () => {
  it('makes no Fastly call for a queued domain, while writes are rate-limited', async () => {
    harness = await startLifecycleHarness({ sim: { writeLimitPerHour: 40 } });
    const { controlPlane } = harness.opened;
    const service = await controlPlane.createService(serviceInput('toot'));
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await exhaustWriteLimit(service.configStoreId!);
    const callsBefore = harness.calls.length;

    const cancelled = await controlPlane.removeDomain('toot', 'toot.example');
    expect(cancelled).toMatchObject({ state: 'cancelled', nextAttemptAt: null, lastError: null });
    expect(cancelled.history.at(-1)).toMatchObject({ from: 'queued', to: 'cancelled', event: 'cancelled' });
    expect(cancelled.conditions.find((c) => c.type === 'Ready')?.message).toBe('Cancelled before the domain reached Fastly: nothing to remove');
    expect(harness.calls.slice(callsBefore)).toEqual([]);
  });

  it('only reads for a domain Fastly refused, while writes are rate-limited; attached again and cancelled, no call', async () => {
    harness = await startLifecycleHarness({ sim: { writeLimitPerHour: 40 } });
    const { controlPlane } = harness.opened;
    const service = await attachHeldDomain(harness);
    expect((await controlPlane.getDomain('toot', 'toot.example')).state).toBe('waiting_for_release');
    await exhaustWriteLimit(service.configStoreId!);
    const callsBefore = harness.calls.length;

    const cancelled = await controlPlane.removeDomain('toot', 'toot.example');
    expect(cancelled).toMatchObject({ state: 'cancelled', lastError: null });
    const calls = harness.calls.slice(callsBefore);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call) => call.method !== 'GET')).toEqual([]);

    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    const callsAfterAttach = harness.calls.length;
    expect((await controlPlane.removeDomain('toot', 'toot.example')).state).toBe('cancelled');
    expect(harness.calls.slice(callsAfterAttach)).toEqual([]);
  });
});

describe('operator controls', () => {
  it('overrides the caching switch, and the lifecycle keeps the override when it reaches cached', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    const off = await controlPlane.setCaching('toot', 'toot.example', false);
    expect(off).toMatchObject({ caching: false, cachingOverride: false });
    const cached = await harness.tickUntil('toot', 'toot.example', 'cached');
    expect(cached.caching).toBe(false);
    expect(items(await harness.state())['caching:toot.example']).toBe('off');
    const on = await controlPlane.setCaching('toot', 'toot.example', true);
    expect(on.conditions.find((c) => c.type === 'Cached')).toMatchObject({ status: 'True', reason: 'OperatorOverride' });
    expect(items(await harness.state())['caching:toot.example']).toBe('on');
  });

  it('purges everything, by key, by keys and by URL through Fastly', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    expect((await controlPlane.purge('toot', { all: true })).fastlyIds).toHaveLength(1);
    expect((await controlPlane.purge('toot', { key: 'accounts' })).fastlyIds).toHaveLength(1);
    expect((await controlPlane.purge('toot', { keys: ['a', 'b'] })).fastlyIds).toHaveLength(2);
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    expect((await controlPlane.purge('toot', { url: 'https://toot.example/about' })).purged).toBe('url toot.example/about');
    const purges = (await harness.state()).purges.map((p) => [p.kind, p.target]);
    expect(purges).toContainEqual(['url', 'toot.example/about']);
    expect(purges.filter(([kind]: string[]) => kind !== 'url').map(([, target]: string[]) => target)).toEqual(expect.arrayContaining(['accounts', 'a', 'b']));
    expect(purges).toHaveLength(5);
    await expect(controlPlane.purge('toot', { keys: [] } as never)).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(controlPlane.purge('nope', { all: true })).rejects.toMatchObject({ code: 'not_found' });
  });

  it("purges only URLs of the service's own hosts, built from parsed parts: no purge URL reaches another Fastly path", async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('alpha'));
    const beta = await controlPlane.createService(serviceInput('beta'));
    await controlPlane.attachDomain('alpha', { domain: 'alpha.example', role: 'main' });
    const callsBefore = (await harness.state()).requests.length;
    for (const url of [
      `https://x/../../service/${beta.fastlyServiceId}/purge_all`,
      'https://x/%2e%2e/%2e%2e/service',
      'https://beta.example/',
      'javascript:alert(1)',
      'file:///etc/passwd',
    ]) {
      await expect(controlPlane.purge('alpha', { url })).rejects.toMatchObject({ code: 'invalid_input' });
    }
    // A host of the service with a path that tries to climb: the dots are resolved, the URL stays under the host.
    const climbed = await controlPlane.purge('alpha', { url: `https://alpha.example/../../service/${beta.fastlyServiceId}/purge_all` });
    expect(climbed.purged).toBe(`url alpha.example/service/${beta.fastlyServiceId}/purge_all`);
    const encoded = await controlPlane.purge('alpha', { url: 'https://alpha.example/a%2F..%2F..%2Fservice' });
    expect(encoded.purged).toBe('url alpha.example/a%2F..%2F..%2Fservice');
    const state = await harness.state();
    expect(state.purges.map((p) => [p.kind, p.target])).toEqual([
      ['url', `alpha.example/service/${beta.fastlyServiceId}/purge_all`],
      ['url', 'alpha.example/a/../../service'],
    ]);
    // Fastly was called only for the two URL purges.
    expect(state.requests.slice(callsBefore).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /purge/alpha.example/service/${beta.fastlyServiceId}/purge_all`,
      'POST /purge/alpha.example/a%2F..%2F..%2Fservice',
    ]);
  });

  it('refuses bad input with clear errors', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await expect(controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' })).rejects.toMatchObject({ code: 'not_found' });
    await controlPlane.createService(serviceInput('toot'));
    await expect(controlPlane.attachDomain('toot', { domain: 'https://toot.example/', role: 'main' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(controlPlane.createService({ name: 'Bad Name' } as never)).rejects.toMatchObject({ code: 'invalid_input' });
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    // Changing a role names the current state and the command to run first.
    await expect(controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'static' })).rejects.toMatchObject({
      code: 'conflict',
      detail:
        'toot.example is already being attached as the main domain (state queued); to change its role, run `edgeplane domains cancel toot.example --service toot` first, then attach it again',
    });
    await expect(controlPlane.getDomain('toot', 'other.example')).rejects.toMatchObject({ code: 'not_found' });
    await expect(controlPlane.getDomain('toot', 'not a domain')).rejects.toMatchObject({ code: 'not_found' });
    // Internationalised names are kept as punycode and found by either spelling.
    const idn = await controlPlane.attachDomain('toot', { domain: 'Bücher.example', role: 'static' });
    expect(idn.domain).toBe('xn--bcher-kva.example');
    expect((await controlPlane.getDomain('toot', 'bücher.example')).domain).toBe('xn--bcher-kva.example');
  });
});
