import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/clock';
import { openControlPlane } from '../src/lifecycle';
import { SiteConfigSchema } from '../src/site-config-schema';
import { type LifecycleHarness, makeEdgePackage, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { configStoreNamed, type SimStateDump, serviceNamed } from './support/sim-control';

// The domain lifecycle end to end: the real gateway, the simulator over 127.0.0.1, a shared
// hand-moved clock (the simulator's release and TLS delays run on it too).

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

const versionsOf = (state: SimStateDump, name: string) => serviceNamed(state, name).versions;
const activationsWith = (state: SimStateDump, name: string, domain: string) =>
  versionsOf(state, name)
    .filter((v) => v.domains.includes(domain))
    .reduce((sum, v) => sum + v.activations, 0);
const siteConfig = (state: SimStateDump) => SiteConfigSchema.parse(JSON.parse(configStoreNamed(state, 'edgeplane-toot').items.site ?? 'null'));

describe('service provisioning', () => {
  it('creates the Compute service with both backends, a linked config store, the site key and the package, and activates it', async () => {
    harness = await startLifecycleHarness();
    const service = await harness.opened.controlPlane.createService(serviceInput('toot'));
    expect(service).toMatchObject({ name: 'toot', status: 'ready', lastError: null, activeVersion: 1, configStoreName: 'edgeplane-toot' });
    const state = await harness.state();
    const [version] = versionsOf(state, 'toot');
    expect(serviceNamed(state, 'toot').type).toBe('wasm');
    expect(version).toMatchObject({
      number: 1,
      active: true,
      backends: ['main_origin', 'static_origin'],
      resources: [{ name: 'edgeplane', resourceId: service.configStoreId }],
    });
    expect(version?.package).not.toBeNull();
    expect(siteConfig(state)).toEqual({
      hosts: {},
      canonicalHost: null,
      backends: { main: 'main_origin', static: 'static_origin' },
      staticHostHeader: 'toot-media.s3.example',
      staticPathPrefix: '/toot-media',
    });

    // Creating it again adopts what exists: no new version, no second store.
    const again = await harness.opened.controlPlane.createService(serviceInput('toot'));
    expect(again).toMatchObject({ status: 'ready', activeVersion: 1, fastlyServiceId: service.fastlyServiceId, configStoreId: service.configStoreId });
    const after = await harness.state();
    expect(versionsOf(after, 'toot')).toHaveLength(1);
    expect(after.configStores).toHaveLength(1);

    // TLS to both origins, checked against the name the origin answers to.
    const backends = await harness.opened.gateway.listBackends(service.fastlyServiceId!, 1);
    expect(backends.find((b) => b.name === 'main_origin')).toMatchObject({
      address: 'lb.toot.example',
      port: 443,
      useSsl: true,
      sslCertHostname: 'lb.toot.example',
      sslSniHostname: 'lb.toot.example',
    });
    expect(backends.find((b) => b.name === 'main_origin')?.overrideHost).toBeUndefined();
    expect(backends.find((b) => b.name === 'static_origin')).toMatchObject({
      address: 'files.toot.example',
      overrideHost: 'toot-media.s3.example',
      sslCertHostname: 'toot-media.s3.example',
      sslSniHostname: 'toot-media.s3.example',
    });

    // A control plane with an empty database adopts the service and the store by name.
    const fresh = await openControlPlane({
      fastly: { token: harness.sim.defaultAccount.token, baseUrl: harness.sim.url },
      dbPath: ':memory:',
      packagePath: harness.packagePath,
    });
    const adopted = await fresh.controlPlane.createService(serviceInput('toot'));
    await fresh.close();
    expect(adopted).toMatchObject({ status: 'ready', fastlyServiceId: service.fastlyServiceId, configStoreId: service.configStoreId, activeVersion: 1 });
    expect((await harness.state()).services).toHaveLength(1);
  });

  it('leaves the draft and says to build the edge package when there is none', async () => {
    harness = await startLifecycleHarness();
    rmSync(harness.packagePath);
    const service = await harness.opened.controlPlane.createService(serviceInput('toot'));
    expect(service.status).toBe('needs_attention');
    expect(service.activeVersion).toBeNull();
    expect(service.lastError?.detail).toContain('npm run build:edge');
    const versions = versionsOf(await harness.state(), 'toot');
    expect(versions.map((v) => [v.active, v.activations])).toEqual([[false, 0]]);

    // Attaching to a service that cannot be provisioned is refused, saying why (issue 16).
    const refused = harness.opened.controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await expect(refused).rejects.toMatchObject({ code: 'conflict' });
    await expect(refused).rejects.toThrow(/npm run build:edge/);

    // The package is built and the service created again: the draft is activated, the domain goes on.
    await makeEdgePackage(harness.dir);
    const ready = await harness.opened.controlPlane.createService(serviceInput('toot'));
    expect(ready).toMatchObject({ status: 'ready', activeVersion: 1, lastError: null });
    await harness.opened.controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await harness.tickUntil('toot', 'toot.example', 'cached');
  });
});

describe('a new edge package', () => {
  it('goes out on a clone of the active version, keeping its domains', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await harness.tickUntil('toot', 'toot.example', 'cached');

    // Rebuilt where the configuration points.
    const rebuilt = await makeEdgePackage(harness.dir, 'edgeplane', 'edge app, rebuilt');
    const service = await controlPlane.createService(serviceInput('toot'));
    expect(service).toMatchObject({ status: 'ready', activeVersion: 3, packagePath: rebuilt });
    const versions = versionsOf(await harness.state(), 'toot');
    expect(versions.map((v) => [v.number, v.active, v.activations, v.domains])).toEqual([
      [1, false, 1, []],
      [2, false, 1, ['toot.example']],
      [3, true, 1, ['toot.example']],
    ]);
    expect(versions[2]?.package?.hashsum).toBe(createHash('sha512').update(readFileSync(rebuilt)).digest('hex'));
  });
});

describe('attaching a domain', () => {
  it('waits while another account holds the domain, then attaches, secures and caches it once released', async () => {
    harness = await startLifecycleHarness();
    const clock = harness.clock as ManualClock;
    const { controlPlane, worker } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await harness.holdByOtherAccount('toot.example');

    const queued = await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    expect(queued).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await worker.tick()).toBe(1);
    const waiting = await controlPlane.getDomain('toot', 'toot.example');
    expect(waiting).toMatchObject({
      state: 'waiting_for_release',
      attempts: 1,
      lastError: { code: 'domain_held_by_other_account', detail: "Domain 'toot.example' is owned by another customer" },
    });
    expect(Date.parse(waiting.nextAttemptAt!)).toBe(clock.now() + 60_000);
    expect(waiting.conditions.find((c) => c.type === 'Attached')).toMatchObject({ status: 'False', reason: 'HeldByOtherAccount' });

    // Not due yet: nothing happens; due: one more probe, still refused, on the same draft.
    expect(await worker.tick()).toBe(0);
    clock.advance(60_000);
    expect(await worker.tick()).toBe(1);
    expect(await controlPlane.getDomain('toot', 'toot.example')).toMatchObject({ state: 'waiting_for_release', attempts: 2 });

    const released = await harness.control('DELETE', '/holds/toot.example');
    expect(released.status).toBe(200);
    // While the certificate is pending, the record tells the operator which DNS records to create.
    const securing = await harness.tickUntil('toot', 'toot.example', 'securing');
    expect(securing.tls?.dnsRecords).toContainEqual(
      expect.objectContaining({ type: 'CNAME', name: '_acme-challenge.toot.example', purpose: 'acme_challenge' }),
    );
    expect(securing.conditions.find((c) => c.type === 'CertificateIssued')?.message).toContain('_acme-challenge.toot.example CNAME');
    // toot.example is an apex: its A records for traffic, never a CNAME beside them (issue 9, observation 6).
    const forHost = securing.tls!.dnsRecords.filter((r) => r.name === 'toot.example');
    expect(forHost.length).toBeGreaterThan(0);
    expect(forHost.every((r) => r.type === 'A' || r.type === 'AAAA')).toBe(true);
    expect(securing.conditions.find((c) => c.type === 'CertificateIssued')?.message).toMatch(/zone apex.*ALIAS or ANAME/);
    const cached = await harness.tickUntil('toot', 'toot.example', 'cached');

    const state = await harness.state();
    expect(activationsWith(state, 'toot', 'toot.example')).toBe(1);
    expect(versionsOf(state, 'toot').filter((v) => !v.locked && !v.active)).toHaveLength(0);
    // One draft served every probe: version 1 (provisioning) and version 2 (the attach).
    expect(versionsOf(state, 'toot').map((v) => v.number)).toEqual([1, 2]);
    expect(cached).toMatchObject({ activeVersion: 2, caching: true, lastError: null, nextAttemptAt: null });
    expect(cached.tls?.state).toBe('issued');
    expect(cached.tls?.dnsRecords.length).toBeGreaterThan(0);
    expect(cached.history.map((e) => e.to)).toEqual(['queued', 'attaching', 'waiting_for_release', 'attaching', 'active', 'securing', 'cached']);
    const configStore = configStoreNamed(state, 'edgeplane-toot');
    expect(configStore.items['caching:toot.example']).toBe('on');
    expect(siteConfig(state)).toMatchObject({ hosts: { 'toot.example': { role: 'main' } }, canonicalHost: 'toot.example' });
    expect(Object.fromEntries(cached.conditions.map((c) => [c.type, c.status]))).toEqual({
      Ready: 'True',
      Attached: 'True',
      CertificateIssued: 'True',
      Cached: 'True',
    });
  });
});
