import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/clock';
import { isEdgeplaneError } from '../src/errors';
import type { ServiceInput } from '../src/model';
import { CONFIG_STORE_LINK_NAME, SITE_CONFIG_KEY } from '../src/site-config';
import { SiteConfigSchema } from '../src/site-config-schema';
import { type LifecycleHarness, startLifecycleHarness } from './support/lifecycle-harness';
import { activeVersion, configStoreNamed, serviceNamed } from './support/sim-control';
import { type ServiceEdge, startServiceEdge } from './support/site-edges';

// The three site-model observations of the first real-account trial, each replayed over real
// HTTP: the control plane against the simulator, and a local edge per service that reads the
// service's Config Store the way the Wasm does (through the link name).

let harness: LifecycleHarness;
const edges: ServiceEdge[] = [];
afterEach(async () => {
  for (const edge of edges.splice(0)) await edge.close();
  await harness?.close();
});

const input = (name: string, staticOrigin: { hostHeader: string; pathPrefix: string }, configStoreName?: string): ServiceInput => ({
  name,
  origins: { main: { address: `lb.${name}.example` }, static: { address: `files-origin.${name}.example`, ...staticOrigin } },
  ...(configStoreName ? { configStoreName } : {}),
});

async function edgeFor(service: string): Promise<ServiceEdge> {
  const edge = await startServiceEdge(harness.sim, harness.sim.defaultAccount.token, service);
  edges.push(edge);
  return edge;
}

async function attachUntilCached(service: string, domain: string, role: 'main' | 'alias' | 'redirect' | 'static') {
  await harness.opened.controlPlane.attachDomain(service, { domain, role });
  return harness.tickUntil(service, domain, 'cached');
}

async function storeItems(name: string): Promise<Record<string, string>> {
  const state = await harness.state();
  return configStoreNamed(state, name).items;
}

async function conflictOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (isEdgeplaneError(error, 'conflict')) return error;
    throw error;
  }
  throw new Error('expected a conflict, the call succeeded');
}

describe('observation 1: a second main host took the first one off the edge', () => {
  it('refuses a second main naming the current one; aliases and redirects add hosts; cancel removes only its host', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(input('toot', { hostHeader: 'toot-media.s3.example', pathPrefix: '/toot-media' }));
    const edge = await edgeFor('toot');
    await attachUntilCached('toot', 'toot.example', 'main');
    expect(await edge.get('toot.example')).toMatchObject({ status: 200, forwarded: { host: 'toot.example', path: '/about' } });

    for (const second of ['other.example', 'www.toot.example']) {
      const conflict = await conflictOf(controlPlane.attachDomain('toot', { domain: second, role: 'main' }));
      expect(conflict.status).toBe(409);
      expect(conflict.detail).toContain('main host toot.example');
      expect(conflict.detail).toMatch(/alias/);
      expect(conflict.detail).toMatch(/redirect/);
    }
    expect((await edge.get('toot.example')).status).toBe(200);

    await attachUntilCached('toot', 'other.example', 'alias');
    await attachUntilCached('toot', 'www.toot.example', 'redirect');
    expect(await edge.get('other.example', '/@alice')).toMatchObject({ status: 200, forwarded: { host: 'other.example', path: '/@alice' } });
    expect(await edge.get('www.toot.example', '/@alice?x=1')).toMatchObject({ status: 301, location: 'https://toot.example/@alice?x=1' });

    await controlPlane.removeDomain('toot', 'other.example');
    expect((await edge.get('other.example')).status).toBe(421);
    expect((await edge.get('toot.example')).status).toBe(200);
    expect(await edge.get('www.toot.example', '/about')).toMatchObject({ status: 301, location: 'https://toot.example/about' });
    const main = await controlPlane.getDomain('toot', 'toot.example');
    expect(main.state).toBe('cached');
    expect(main.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    const site = SiteConfigSchema.parse(JSON.parse((await storeItems('edgeplane-toot')).site!));
    expect(site).toMatchObject({ canonicalHost: 'toot.example', hosts: { 'toot.example': { role: 'main' }, 'www.toot.example': { role: 'redirect' } } });
    expect(Object.keys(site.hosts)).toHaveLength(2);
  });
});

describe('observation 2: two services on one account shared one site key', () => {
  it('keeps each service in its own Config Store: creating and attaching on beta leaves alpha as it was', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(input('alpha', { hostHeader: 'alpha-media.s3.example', pathPrefix: '/alpha-media' }));
    const alphaEdge = await edgeFor('alpha');
    await attachUntilCached('alpha', 'alpha.example', 'main');
    await attachUntilCached('alpha', 'files.alpha.example', 'static');
    expect(await alphaEdge.get('files.alpha.example', '/media/a.png')).toMatchObject({
      status: 200,
      forwarded: { host: 'alpha-media.s3.example', path: '/alpha-media/media/a.png' },
    });
    const alphaBefore = await storeItems('edgeplane-alpha');

    await controlPlane.createService(input('beta', { hostHeader: 'beta-media.s3.example', pathPrefix: '/beta-media' }));
    const betaEdge = await edgeFor('beta');
    await attachUntilCached('beta', 'beta.example', 'main');
    await attachUntilCached('beta', 'files.beta.example', 'static');

    expect(await storeItems('edgeplane-alpha')).toEqual(alphaBefore);
    expect(await alphaEdge.get('files.alpha.example', '/media/a.png')).toMatchObject({
      status: 200,
      forwarded: { host: 'alpha-media.s3.example', path: '/alpha-media/media/a.png' },
    });
    expect(await alphaEdge.get('alpha.example')).toMatchObject({ status: 200, forwarded: { host: 'alpha.example' } });
    expect(await betaEdge.get('files.beta.example', '/media/b.png')).toMatchObject({
      status: 200,
      forwarded: { host: 'beta-media.s3.example', path: '/beta-media/media/b.png' },
    });
    expect(await betaEdge.get('beta.example')).toMatchObject({ status: 200, forwarded: { host: 'beta.example' } });
    // Neither edge serves the other's hosts.
    expect((await alphaEdge.get('beta.example')).status).toBe(421);
    expect((await betaEdge.get('alpha.example')).status).toBe(421);

    const state = await harness.state();
    const alpha = await controlPlane.getService('alpha');
    const beta = await controlPlane.getService('beta');
    expect(alpha.configStoreId).not.toBe(beta.configStoreId);
    expect(state.configStores.map((store) => store.name).sort()).toEqual(['edgeplane-alpha', 'edgeplane-beta']);

    // A service may not take another's store by name either.
    const taken = await conflictOf(controlPlane.createService(input('gamma', { hostHeader: 'g.s3.example', pathPrefix: '/g' }, 'edgeplane-alpha')));
    expect(taken.detail).toContain('"alpha"');
  });
});

describe('observation 3: a custom Config Store name was linked under that name, not the one the Wasm opens', () => {
  it('links a custom-named store under the link name, and the edge reading by link name serves the host', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    const service = await controlPlane.createService(input('toot', { hostHeader: 'toot-media.s3.example', pathPrefix: '/toot-media' }, 'toot-site'));
    const edge = await edgeFor('toot');
    await attachUntilCached('toot', 'toot.example', 'main');

    const state = await harness.state();
    const active = activeVersion(serviceNamed(state, 'toot'));
    expect(active?.resources.map((link) => ({ name: link.name, resourceId: link.resourceId }))).toEqual([
      { name: CONFIG_STORE_LINK_NAME, resourceId: service.configStoreId },
    ]);
    expect(state.configStores.find((store) => store.id === service.configStoreId)?.name).toBe('toot-site');
    expect(await edge.get('toot.example')).toMatchObject({ status: 200, forwarded: { host: 'toot.example' } });
  });
});

describe('a live domain waiting for its certificate answered 421 at the edge', () => {
  it('is in the site with caching off from its activation on: passed through, redirected; caching goes on with the certificate', async () => {
    // A day for the certificate: the domains stay live and securing while the edge is asked.
    harness = await startLifecycleHarness({ sim: { tlsDelayMs: 24 * 3_600_000 } });
    const { controlPlane } = harness.opened;
    await controlPlane.createService(input('toot', { hostHeader: 'toot-media.s3.example', pathPrefix: '/toot-media' }));
    const edge = await edgeFor('toot');
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await controlPlane.attachDomain('toot', { domain: 'www.toot.example', role: 'redirect' });
    await harness.tickUntil('toot', 'toot.example', 'securing');
    expect((await controlPlane.getDomain('toot', 'www.toot.example')).state).toBe('securing');

    expect(await edge.get('toot.example', '/about')).toMatchObject({ status: 200, forwarded: { host: 'toot.example', path: '/about' } });
    expect(await edge.get('www.toot.example', '/about')).toMatchObject({ status: 301, location: 'https://toot.example/about' });
    const items = await storeItems('edgeplane-toot');
    expect(SiteConfigSchema.parse(JSON.parse(items.site!)).hosts).toEqual({ 'toot.example': { role: 'main' }, 'www.toot.example': { role: 'redirect' } });
    expect(items['caching:toot.example'] ?? 'off').toBe('off');

    (harness.clock as ManualClock).advance(2 * 24 * 3_600_000);
    await harness.tickUntil('toot', 'toot.example', 'cached');
    expect((await storeItems('edgeplane-toot'))['caching:toot.example']).toBe('on');
  });

  it('is put back in the site by its next step when the site lost it (a write cut short, a change by hand)', async () => {
    harness = await startLifecycleHarness({ sim: { tlsDelayMs: 24 * 3_600_000 } });
    const { controlPlane, gatewayFor } = harness.opened;
    await controlPlane.createService(input('toot', { hostHeader: 'toot-media.s3.example', pathPrefix: '/toot-media' }));
    const edge = await edgeFor('toot');
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await harness.tickUntil('toot', 'toot.example', 'securing');
    // The site as it was before the activation, as if the process had died right after it.
    const service = (await harness.opened.store.getService('toot'))!;
    const gateway = gatewayFor(harness.sim.defaultAccount.token);
    const site = SiteConfigSchema.parse(JSON.parse((await gateway.getConfigItem(service.configStoreId!, SITE_CONFIG_KEY))!));
    await gateway.putConfigItem(service.configStoreId!, SITE_CONFIG_KEY, JSON.stringify({ ...site, hosts: {}, canonicalHost: null }));
    expect((await edge.get('toot.example')).status).toBe(421);

    const { nextAttemptAt } = await controlPlane.getDomain('toot', 'toot.example');
    (harness.clock as ManualClock).advance(Date.parse(nextAttemptAt!) - harness.clock.now());
    expect(await harness.opened.worker.tick()).toBe(1);
    expect((await controlPlane.getDomain('toot', 'toot.example')).state).toBe('securing');
    expect(await edge.get('toot.example')).toMatchObject({ status: 200, forwarded: { host: 'toot.example' } });
  });
});
