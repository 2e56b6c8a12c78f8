import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureOf, type SimHarness, startSimHarness } from './support/sim-harness';

// Backend update as fastly-js sends it (PUT, form-encoded): only the fields sent change, and an
// empty host field clears it, as on Fastly.

let h: SimHarness;
beforeEach(async () => {
  h = await startSimHarness();
});
afterEach(() => h.sim.close());

describe('updating a backend', () => {
  it('changes the fields sent, clears empty host fields, and refuses a missing backend and a locked version', async () => {
    const serviceId = (await h.fastly.services.createService({ name: 'svc', type: 'wasm' })).id as string;
    await h.fastly.backends.createBackend({
      service_id: serviceId,
      version_id: 1,
      name: 'main_origin',
      address: 'lb.example.org',
      port: 443,
      use_ssl: true,
      override_host: 'www.example.org',
      ssl_cert_hostname: 'www.example.org',
      ssl_sni_hostname: 'www.example.org',
    });
    const updated = await h.fastly.backends.updateBackend({
      service_id: serviceId,
      version_id: 1,
      backend_name: 'main_origin',
      address: '192.0.2.7',
      port: 80,
      use_ssl: false,
      override_host: '',
      ssl_cert_hostname: '',
      ssl_sni_hostname: '',
    });
    expect(updated).toMatchObject({
      name: 'main_origin',
      address: '192.0.2.7',
      ipv4: '192.0.2.7',
      port: 80,
      use_ssl: false,
      override_host: null,
      ssl_cert_hostname: null,
      ssl_sni_hostname: null,
    });
    const read = await h.fastly.backends.getBackend({ service_id: serviceId, version_id: 1, backend_name: 'main_origin' });
    expect(read).toMatchObject({ address: '192.0.2.7', override_host: null, connect_timeout: 1000 });

    expect((await failureOf(h.fastly.backends.updateBackend({ service_id: serviceId, version_id: 1, backend_name: 'missing', port: 8080 }))).status).toBe(404);
    await h.fastly.versions.lockServiceVersion({ service_id: serviceId, version_id: 1 });
    const locked = await failureOf(h.fastly.backends.updateBackend({ service_id: serviceId, version_id: 1, backend_name: 'main_origin', port: 8080 }));
    expect(locked.status).toBe(422);
    expect(locked.body.detail).toMatch(/locked/);
  });
});
