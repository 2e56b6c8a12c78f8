import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceInput } from '../src/model';
import { SiteConfigSchema } from '../src/site-config-schema';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { draftsOf, serviceNamed } from './support/sim-control';

// Changing a service's origins: createService again with new origin settings updates the
// backends Fastly has (not just adds missing ones) on the one reusable draft, validates,
// activates and records the version after that. Real gateway, simulator over 127.0.0.1.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

const moved: ServiceInput = {
  name: 'toot',
  origins: {
    main: { address: 'lb2.toot.example', port: 8443, hostHeader: 'toot.example' },
    static: { address: 'media.toot.example', hostHeader: 'toot-media-2.s3.example', pathPrefix: '/media' },
  },
};

async function activeBackends(serviceId: string) {
  const service = await harness.opened.gateway.getService(serviceId);
  const backends = await harness.opened.gateway.listBackends(serviceId, service.activeVersion ?? 0);
  return { version: service.activeVersion, backends: Object.fromEntries(backends.map((backend) => [backend.name, backend])) };
}

const writes = () => harness.calls.filter((call) => call.method !== 'GET').map((call) => call.operation);

describe('createService with changed origins', () => {
  it('updates both backends and the site key in one new version, and repeating it changes nothing', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    const first = await controlPlane.createService(serviceInput('toot'));
    const serviceId = first.fastlyServiceId ?? '';
    expect((await activeBackends(serviceId)).backends.main_origin).toMatchObject({ address: 'lb.toot.example', port: 443, overrideHost: undefined });

    harness.calls.length = 0;
    const updated = await controlPlane.createService(moved);
    expect(updated).toMatchObject({ status: 'ready', lastError: null, activeVersion: (first.activeVersion ?? 0) + 1 });
    const active = await activeBackends(serviceId);
    expect(active.version).toBe(updated.activeVersion);
    expect(active.backends.main_origin).toMatchObject({
      address: 'lb2.toot.example',
      port: 8443,
      useSsl: true,
      overrideHost: 'toot.example',
      sslCertHostname: 'toot.example',
      sslSniHostname: 'toot.example',
    });
    expect(active.backends.static_origin).toMatchObject({
      address: 'media.toot.example',
      overrideHost: 'toot-media-2.s3.example',
      sslCertHostname: 'toot-media-2.s3.example',
    });
    expect(writes()).toEqual(['putConfigItem', 'cloneVersion', 'updateBackend', 'updateBackend', 'activateVersion']);

    const storeId = updated.configStoreId ?? '';
    const site = SiteConfigSchema.parse(JSON.parse((await harness.opened.gateway.getConfigItem(storeId, 'site')) ?? 'null'));
    expect(site).toMatchObject({ staticHostHeader: 'toot-media-2.s3.example', staticPathPrefix: '/media' });

    harness.calls.length = 0;
    const again = await controlPlane.createService(moved);
    expect(again.activeVersion).toBe(updated.activeVersion);
    expect(writes()).toEqual([]);
  });

  it('clears a host header that is no longer wanted, and turns TLS to origin off', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    const first = await controlPlane.createService(moved);
    const plain: ServiceInput = { ...moved, origins: { ...moved.origins, main: { address: 'lb2.toot.example', port: 80, useTls: false } } };
    const updated = await controlPlane.createService(plain);
    expect(updated.activeVersion).toBe((first.activeVersion ?? 0) + 1);
    const { backends } = await activeBackends(first.fastlyServiceId ?? '');
    expect(backends.main_origin).toMatchObject({ port: 80, useSsl: false, overrideHost: undefined, sslCertHostname: undefined, sslSniHostname: undefined });
  });

  it('puts the update on the draft that already exists instead of cloning another', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane, gateway } = harness.opened;
    const first = await controlPlane.createService(serviceInput('toot'));
    const serviceId = first.fastlyServiceId ?? '';
    const draft = await gateway.cloneVersion(serviceId, first.activeVersion ?? 0);

    harness.calls.length = 0;
    const updated = await controlPlane.createService(moved);
    expect(updated.activeVersion).toBe(draft.number);
    expect(writes()).not.toContain('cloneVersion');
    const state = await harness.state();
    const service = serviceNamed(state, 'toot');
    expect(service.versions.map((v) => v.number)).toEqual([1, 2]);
    expect(draftsOf(service)).toEqual([]);
  });
});
