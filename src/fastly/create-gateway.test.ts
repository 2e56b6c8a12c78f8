import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { packComputePackage } from '../compute-package';
import type { SimStateDump } from '../sim/control';
import { type RunningSimulator, startSimulator } from '../sim/server';
import { createFastlyGateway } from './create-gateway';
import type { FastlyCallEvent, FastlyGateway } from './gateway';

// Every gateway method against the simulator over HTTP on 127.0.0.1.

let sim: RunningSimulator;
let gateway: FastlyGateway;
let calls: FastlyCallEvent[];

async function simState(): Promise<SimStateDump> {
  const response = await fetch(`${sim.url}/__sim/state`);
  return (await response.json()) as SimStateDump;
}

/** A Compute package with the Wasm magic number standing in for a real build. */
async function computePackage(name: string): Promise<Uint8Array> {
  const manifest = `manifest_version = 3\nname = "${name}"\nlanguage = "javascript"\n`;
  return new Uint8Array(await packComputePackage(name, { 'fastly.toml': manifest, 'bin/main.wasm': WASM_MAGIC }));
}

const WASM_MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let serial = 0;
const uniqueName = (prefix: string) => `${prefix}-${++serial}`;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, tlsDelayMs: 60_000 });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  calls = [];
  gateway = createFastlyGateway({ token: sim.defaultAccount.token, baseUrl: sim.url, onCall: (event) => calls.push(event) });
});

describe('services', () => {
  it('creates a Compute service with draft version 1, finds it by name, gets it', async () => {
    const name = uniqueName('mastodon');
    const created = await gateway.createService(name);
    expect(created).toMatchObject({ name, type: 'wasm', activeVersion: null, versions: [{ number: 1, active: false, locked: false, comment: '' }] });
    expect(await gateway.findServiceByName(name)).toEqual(created);
    expect(await gateway.getService(created.id)).toEqual(created);
  });

  it('finds no service for an unknown name', async () => {
    expect(await gateway.findServiceByName('no-such-service')).toBeNull();
    expect(calls).toMatchObject([{ operation: 'findServiceByName', method: 'GET', outcome: 'not_found', status: 404 }]);
  });

  it('creates a VCL service when asked', async () => {
    expect((await gateway.createService(uniqueName('vcl'), 'vcl')).type).toBe('vcl');
  });

  it('deletes a service', async () => {
    const { id } = await gateway.createService(uniqueName('gone'));
    await gateway.deleteService(id);
    await expect(gateway.getService(id)).rejects.toMatchObject({ code: 'not_found', detail: `Couldn't find Service '${id}'` });
  });
});

describe('versions', () => {
  it('clones, activates and deactivates; the service shows the active version', async () => {
    const service = await gateway.createService(uniqueName('versions'), 'vcl');
    await gateway.addDomain(service.id, 1, `${uniqueName('www')}.example.net`);
    const clone = await gateway.cloneVersion(service.id, 1);
    expect(clone).toEqual({ number: 2, active: false, locked: false, comment: '' });

    expect(await gateway.activateVersion(service.id, 2)).toMatchObject({ number: 2, active: true, locked: true });
    const shown = await gateway.getService(service.id);
    expect(shown.activeVersion).toBe(2);
    expect(shown.versions.map((version) => [version.number, version.active])).toEqual([
      [1, false],
      [2, true],
    ]);

    expect(await gateway.deactivateVersion(service.id, 2)).toMatchObject({ number: 2, active: false });
    expect((await gateway.getService(service.id)).activeVersion).toBeNull();
  });

  it("validates: a Compute version without a package is invalid, with Fastly's reason", async () => {
    const service = await gateway.createService(uniqueName('validate'));
    expect(await gateway.validateVersion(service.id, 1)).toEqual({
      valid: false,
      messages: ['Version 1 has no Compute package: upload one before activating'],
    });
    await gateway.uploadPackage(service.id, 1, await computePackage('validate'));
    expect(await gateway.validateVersion(service.id, 1)).toEqual({ valid: true, messages: [] });
  });
});

describe('classic domains', () => {
  it('adds, lists and deletes domains of a draft version', async () => {
    const service = await gateway.createService(uniqueName('domains'));
    const first = `${uniqueName('social')}.example.org`;
    const second = `${uniqueName('files')}.example.org`;
    await gateway.addDomain(service.id, 1, first, 'main');
    await gateway.addDomain(service.id, 1, second);
    expect(await gateway.listDomains(service.id, 1)).toEqual([first, second]);
    await gateway.deleteDomain(service.id, 1, first);
    expect(await gateway.listDomains(service.id, 1)).toEqual([second]);
  });
});

describe('backends', () => {
  it('creates a backend with every setting and lists it back', async () => {
    const service = await gateway.createService(uniqueName('backends'));
    const spec = {
      name: 'main',
      address: 'lb.example.org',
      port: 443,
      useSsl: true,
      overrideHost: 'social.example.org',
      sslCertHostname: 'lb.example.org',
      sslSniHostname: 'lb.example.org',
      connectTimeoutMs: 1000,
      firstByteTimeoutMs: 15000,
      betweenBytesTimeoutMs: 10000,
    };
    expect(await gateway.createBackend(service.id, 1, spec)).toEqual(spec);
    expect(await gateway.listBackends(service.id, 1)).toEqual([spec]);
  });
});

describe('Compute package', () => {
  it('has no package before an upload, then the uploaded one', async () => {
    const service = await gateway.createService(uniqueName('package'));
    expect(await gateway.getPackage(service.id, 1)).toBeNull();
    const archive = await computePackage('package');
    const uploaded = await gateway.uploadPackage(service.id, 1, archive);
    expect(uploaded).toMatchObject({ hashsum: createHash('sha512').update(archive).digest('hex'), size: archive.length });
    expect(uploaded.filesHash).toMatch(/^[0-9a-f]{128}$/);
    expect(await gateway.getPackage(service.id, 1)).toEqual(uploaded);
  });
});

describe('config stores', () => {
  it('creates and finds a store; items are absent, written, overwritten and deleted', async () => {
    const name = uniqueName('edgeplane');
    expect(await gateway.findConfigStore(name)).toBeNull();
    const store = await gateway.createConfigStore(name);
    expect(store.name).toBe(name);
    expect(await gateway.findConfigStore(name)).toEqual(store);

    const key = 'caching:social.example.org';
    expect(await gateway.getConfigItem(store.id, key)).toBeNull();
    await gateway.putConfigItem(store.id, key, 'on');
    expect(await gateway.getConfigItem(store.id, key)).toBe('on');
    await gateway.putConfigItem(store.id, key, 'off');
    expect(await gateway.getConfigItem(store.id, key)).toBe('off');
    await gateway.putConfigItems(store.id, { [key]: 'on', site: '{}' });
    expect([await gateway.getConfigItem(store.id, key), await gateway.getConfigItem(store.id, 'site')]).toEqual(['on', '{}']);
    await gateway.deleteConfigItem(store.id, key);
    expect(await gateway.getConfigItem(store.id, key)).toBeNull();
    await expect(gateway.deleteConfigItem(store.id, key)).resolves.toBeUndefined();
  });

  it('links a store to a service version and lists the link', async () => {
    const service = await gateway.createService(uniqueName('linked'));
    const store = await gateway.createConfigStore(uniqueName('linked-store'));
    const link = await gateway.linkResource(service.id, 1, store.id, 'edgeplane');
    expect(link).toMatchObject({ name: 'edgeplane', resourceId: store.id });
    expect(await gateway.listResourceLinks(service.id, 1)).toEqual([link]);
  });
});

describe('TLS subscriptions', () => {
  async function activeServiceWith(domain: string) {
    const service = await gateway.createService(uniqueName('tls'), 'vcl');
    await gateway.addDomain(service.id, 1, domain);
    await gateway.activateVersion(service.id, 1);
  }

  it('creates a subscription, finds it by domain with the DNS records to create, deletes it', async () => {
    const domain = `${uniqueName('secure')}.example.org`;
    await activeServiceWith(domain);
    const created = await gateway.createTlsSubscription(domain);
    expect(created).toMatchObject({ state: 'pending', domains: [domain] });

    const found = await gateway.findTlsSubscription(domain);
    expect(found).toMatchObject({ id: created.id, state: 'pending', domains: [domain] });
    expect(found?.dnsRecords).toContainEqual(expect.objectContaining({ type: 'CNAME', name: `_acme-challenge.${domain}`, purpose: 'acme_challenge' }));
    expect(found?.dnsRecords.some((record) => record.purpose === 'traffic' && record.name === domain)).toBe(true);
    expect(await gateway.getTlsSubscription(created.id)).toEqual(found);
    // The create answer carries the challenges already.
    expect(created.dnsRecords).toEqual(found?.dnsRecords);

    await gateway.deleteTlsSubscription(created.id);
    expect(await gateway.findTlsSubscription(domain)).toBeNull();
    await expect(gateway.getTlsSubscription(created.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('TLS subscription progress', () => {
  let tlsSim: RunningSimulator;
  const clock = new ManualClock();

  beforeAll(async () => {
    tlsSim = await startSimulator({ port: 0, tlsDelayMs: 60_000, clock });
  });

  afterAll(async () => {
    await tlsSim.close();
  });

  it('goes pending, processing, issued as Fastly works; failed when the order fails; retried', async () => {
    const tlsGateway = createFastlyGateway({ token: tlsSim.defaultAccount.token, baseUrl: tlsSim.url });
    const service = await tlsGateway.createService('tls progress', 'vcl');
    await tlsGateway.addDomain(service.id, 1, 'issued.example.org');
    await tlsGateway.addDomain(service.id, 1, 'failing.example.org');
    await tlsGateway.activateVersion(service.id, 1);
    const { id } = await tlsGateway.createTlsSubscription('issued.example.org');
    expect((await tlsGateway.getTlsSubscription(id)).state).toBe('pending');
    clock.advance(60_000);
    expect((await tlsGateway.getTlsSubscription(id)).state).toBe('processing');
    clock.advance(60_000);
    expect((await tlsGateway.getTlsSubscription(id)).state).toBe('issued');

    const failing = await tlsGateway.createTlsSubscription('failing.example.org');
    const response = await fetch(`${tlsSim.url}/__sim/tls-failures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ domain: 'failing.example.org' }),
    });
    expect(response.status).toBe(201);
    expect(await tlsGateway.findTlsSubscription('failing.example.org')).toMatchObject({ id: failing.id, state: 'failed' });
    expect(await tlsGateway.retryTlsSubscription(failing.id)).toMatchObject({ id: failing.id, state: 'pending' });

    // An issued certificate is active on its domain: only a forced delete removes it.
    await expect(tlsGateway.deleteTlsSubscription(id)).rejects.toMatchObject({ code: 'fastly_rejected', detail: 'Subscription has active domains' });
    await tlsGateway.deleteTlsSubscription(id, { force: true });
    expect(await tlsGateway.findTlsSubscription('issued.example.org')).toBeNull();
  });
});

describe('Domain Management v1', () => {
  it('creates, lists by fqdn, gets, points at another service and deletes a domain', async () => {
    const first = await gateway.createService(uniqueName('managed'));
    const second = await gateway.createService(uniqueName('managed'));
    const fqdn = `${uniqueName('versionless')}.example.org`;

    const created = await gateway.createManagedDomain(fqdn, first.id);
    expect(created).toMatchObject({ fqdn, serviceId: first.id });
    expect(await gateway.listManagedDomains(fqdn)).toEqual([created]);
    expect(await gateway.getManagedDomain(created.id)).toEqual(created);

    expect(await gateway.updateManagedDomain(created.id, second.id)).toMatchObject({ id: created.id, serviceId: second.id });
    expect(await gateway.updateManagedDomain(created.id, null)).toMatchObject({ id: created.id, serviceId: null });

    await gateway.deleteManagedDomain(created.id);
    expect(await gateway.listManagedDomains(fqdn)).toEqual([]);
    await expect(gateway.getManagedDomain(created.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('creates a domain without a service and lists it among all', async () => {
    const fqdn = `${uniqueName('unbound')}.example.org`;
    const created = await gateway.createManagedDomain(fqdn);
    expect(created.serviceId).toBeNull();
    expect(await gateway.listManagedDomains()).toContainEqual(created);
  });
});

describe('Domain Management v1 paging', () => {
  let pagedSim: RunningSimulator;

  beforeAll(async () => {
    pagedSim = await startSimulator({ port: 0 });
  });

  afterAll(async () => {
    await pagedSim.close();
  });

  it('follows the cursor over pages of 100', async () => {
    const pagedCalls: FastlyCallEvent[] = [];
    const paged = createFastlyGateway({ token: pagedSim.defaultAccount.token, baseUrl: pagedSim.url, onCall: (event) => pagedCalls.push(event) });
    const fqdns = Array.from({ length: 101 }, (_, index) => `page-${index}.example.org`);
    for (const fqdn of fqdns) await paged.createManagedDomain(fqdn);
    pagedCalls.length = 0;
    expect((await paged.listManagedDomains()).map((domain) => domain.fqdn)).toEqual(fqdns);
    expect(pagedCalls.map((call) => call.operation)).toEqual(['listManagedDomains', 'listManagedDomains']);
  });
});

describe('purge', () => {
  it('purges all, by keys and by URL, as Fastly records them', async () => {
    const service = await gateway.createService(uniqueName('purge'));
    expect(await gateway.purgeAll(service.id)).toBe('ok');
    const ids = await gateway.purgeKeys(service.id, ['account-1', 'status-2']);
    expect(ids).toHaveLength(2);
    const urlId = await gateway.purgeUrl('https://social.example.org/@alice');
    const purges = (await simState()).purges;
    expect(purges.filter((purge) => purge.serviceId === service.id).map((purge) => [purge.kind, purge.target])).toEqual([
      ['all', '*'],
      ['key', 'account-1'],
      ['key', 'status-2'],
    ]);
    expect(purges.find((purge) => purge.kind === 'url')?.target).toBe('social.example.org/@alice');
    expect(urlId).toEqual(expect.any(String));
  });

  it('refuses an empty key list without calling Fastly', async () => {
    await expect(gateway.purgeKeys('any', [])).rejects.toMatchObject({ code: 'invalid_input' });
    expect(calls).toEqual([]);
  });
});

describe('bookkeeping', () => {
  it('reports one call per method with its operation, method, outcome and status', async () => {
    const service = await gateway.createService(uniqueName('events'));
    await gateway.listDomains(service.id, 1);
    expect(calls.map(({ operation, method, outcome, status }) => ({ operation, method, outcome, status }))).toEqual([
      { operation: 'createService', method: 'POST', outcome: 'ok', status: 200 },
      { operation: 'listDomains', method: 'GET', outcome: 'ok', status: 200 },
    ]);
    for (const call of calls) expect(call.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a throwing onCall hook does not fail a call Fastly has done', async () => {
    const hooked = createFastlyGateway({
      token: sim.defaultAccount.token,
      baseUrl: sim.url,
      onCall: () => {
        throw new Error('metrics are down');
      },
    });
    const name = uniqueName('hooked');
    expect((await hooked.createService(name)).name).toBe(name);
  });

  it('reads the write budget from the rate-limit headers of each write', async () => {
    expect(gateway.rateLimit).toEqual({ remaining: null, resetAt: null });
    await gateway.createService(uniqueName('budget'));
    const afterOne = gateway.rateLimit;
    expect(afterOne.remaining).toEqual(expect.any(Number));
    expect(afterOne.resetAt).toBeInstanceOf(Date);
    await gateway.createService(uniqueName('budget'));
    expect(gateway.rateLimit.remaining).toBe(afterOne.remaining! - 1);
  });
});
