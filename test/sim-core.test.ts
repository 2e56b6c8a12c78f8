import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureOf, fastlyApis, type SimHarness, startSimHarness } from './support/sim-harness';

let h: SimHarness;
beforeEach(async () => {
  h = await startSimHarness({ releaseDelayMs: 60_000 });
});
afterEach(() => h.sim.close());

async function serviceWithDomain(fastly = h.fastly, name = 'site', domain = 'www.example.org') {
  const service = await fastly.services.createService({ name, type: 'vcl' });
  await fastly.domains.createDomain({ service_id: service.id, version_id: 1, name: domain });
  return service;
}

describe('auth and accounts', () => {
  it('answers 401 without a Fastly-Key and with an unknown one', async () => {
    const missing = await fetch(`${h.sim.url}/service`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ msg: 'Provided credentials are missing or invalid' });
    const wrong = await failureOf(fastlyApis('not-a-token', h.sim.url).services.listServices({}));
    expect(wrong.status).toBe(401);
  });

  it("hides one account's services from another (404)", async () => {
    const service = await h.fastly.services.createService({ name: 'mine' });
    const other = await h.createAccount('other');
    const failure = await failureOf(other.fastly.services.getService({ service_id: service.id }));
    expect(failure.status).toBe(404);
    expect(failure.body.msg).toBe('Record not found');
    expect(await other.fastly.services.listServices({})).toEqual([]);
    expect((await h.fastly.services.listServices({})).map((s: any) => s.id)).toEqual([service.id]);
  });

  it('gives every token of an account the same services', async () => {
    const service = await h.fastly.services.createService({ name: 'mine' });
    const second = fastlyApis(await h.addToken(h.sim.defaultAccount.customerId), h.sim.url);
    expect((await second.services.getService({ service_id: service.id })).name).toBe('mine');
  });
});

describe('services and versions', () => {
  it('creates a service with draft version 1 and finds it by name', async () => {
    const service = await h.fastly.services.createService({ name: 'edge', type: 'wasm' });
    expect(service.type).toBe('wasm');
    expect(service.customer_id).toBe(h.sim.defaultAccount.customerId);
    expect(service.versions.map((v: any) => [v.number, v.active, v.locked])).toEqual([[1, false, false]]);
    expect((await h.fastly.services.searchService({ name: 'edge' })).id).toBe(service.id);
    expect((await failureOf(h.fastly.services.searchService({ name: 'nope' }))).status).toBe(404);
  });

  it('refuses a service without a name or with an unknown type (400, not 500)', async () => {
    expect((await failureOf(h.fastly.services.createService({}))).status).toBe(400);
    const bad = await failureOf(h.fastly.services.createService({ name: 'x', type: 'lambda' }));
    expect(bad.status).toBe(400);
    expect(bad.body.msg).toBe('Bad request');
  });

  it('clones, activates (locking), deactivates and locks versions', async () => {
    const service = await serviceWithDomain();
    const active = await h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 });
    expect([active.active, active.locked]).toEqual([true, true]);
    const clone = await h.fastly.versions.cloneServiceVersion({ service_id: service.id, version_id: 1 });
    expect([clone.number, clone.active, clone.locked]).toEqual([2, false, false]);
    expect((await h.fastly.domains.listDomains({ service_id: service.id, version_id: 2 })).map((d: any) => d.name)).toEqual(['www.example.org']);

    await h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 2 });
    const listed = await h.fastly.versions.listServiceVersions({ service_id: service.id });
    expect(listed.map((v: any) => [v.number, v.active, v.locked])).toEqual([
      [1, false, true],
      [2, true, true],
    ]);

    const off = await h.fastly.versions.deactivateServiceVersion({ service_id: service.id, version_id: 2 });
    expect(off.active).toBe(false);
    const created = await h.fastly.versions.createServiceVersion({ service_id: service.id });
    expect(created.number).toBe(3);
    const locked = await h.fastly.versions.lockServiceVersion({ service_id: service.id, version_id: 3 });
    expect(locked.locked).toBe(true);
    const state = await h.state();
    expect(state.services.map((s) => s.versions.map((v) => v.activations))).toEqual([[1, 1, 0]]);
  });

  it('refuses edits to a locked or active version with 422 "Version locked"', async () => {
    const service = await serviceWithDomain();
    await h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 });
    const onActive = await failureOf(h.fastly.domains.createDomain({ service_id: service.id, version_id: 1, name: 'b.example.org' }));
    expect(onActive.status).toBe(422);
    expect(onActive.body).toEqual({ msg: 'Version locked', detail: `Version '1' for service '${service.id}' is locked` });
    expect(onActive.headers['fastly-ratelimit-remaining']).toBeDefined();
    await h.fastly.versions.createServiceVersion({ service_id: service.id });
    await h.fastly.versions.lockServiceVersion({ service_id: service.id, version_id: 2 });
    const onLocked = await failureOf(h.fastly.domains.createDomain({ service_id: service.id, version_id: 2, name: 'b.example.org' }));
    expect(onLocked.status).toBe(422);
    expect(onLocked.body.msg).toBe('Version locked');
  });

  it('refuses to activate an already active version, and to deactivate an inactive one', async () => {
    const service = await serviceWithDomain();
    expect((await failureOf(h.fastly.versions.deactivateServiceVersion({ service_id: service.id, version_id: 1 }))).status).toBe(400);
    await h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 });
    expect((await failureOf(h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 }))).status).toBe(400);
  });

  it('refuses to delete a service with an active version, then deletes it once deactivated', async () => {
    const service = await serviceWithDomain();
    await h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 });
    const failure = await failureOf(h.fastly.services.deleteService({ service_id: service.id }));
    expect(failure.status).toBe(400);
    expect(failure.body).toEqual({ msg: 'Bad request', detail: 'Cannot delete service with active version' });
    await h.fastly.versions.deactivateServiceVersion({ service_id: service.id, version_id: 1 });
    expect(await h.fastly.services.deleteService({ service_id: service.id })).toMatchObject({ status: 'ok' });
    expect((await failureOf(h.fastly.services.getService({ service_id: service.id }))).status).toBe(404);
  });

  it('reports a wasm version without a package as invalid and refuses to activate it', async () => {
    const service = await h.fastly.services.createService({ name: 'compute', type: 'wasm' });
    const validation = await h.fastly.versions.validateServiceVersion({ service_id: service.id, version_id: 1 });
    expect(validation.status).toBe('error');
    const failure = await failureOf(h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 }));
    expect(failure.status).toBe(400);
    expect(failure.body.detail).toMatch(/package/);
    const vcl = await h.fastly.services.createService({ name: 'vcl' });
    expect((await h.fastly.versions.validateServiceVersion({ service_id: vcl.id, version_id: 1 })).status).toBe('ok');
  });
});

describe('classic domains and global ownership', () => {
  it("refuses a domain on another account's active version with Fastly's exact body", async () => {
    const other = await h.createAccount('old-account');
    const theirs = await serviceWithDomain(other.fastly, 'old');
    await other.fastly.versions.activateServiceVersion({ service_id: theirs.id, version_id: 1 });
    const mine = await h.fastly.services.createService({ name: 'new' });
    const failure = await failureOf(h.fastly.domains.createDomain({ service_id: mine.id, version_id: 1, name: 'www.example.org' }));
    expect(failure.status).toBe(400);
    expect(failure.body).toEqual({ msg: 'Bad request', detail: "Domain 'www.example.org' is owned by another customer" });
  });

  it('does not count a draft of another account as a claim', async () => {
    const other = await h.createAccount('other');
    await serviceWithDomain(other.fastly, 'draft-only');
    const mine = await h.fastly.services.createService({ name: 'new' });
    const domain = await h.fastly.domains.createDomain({ service_id: mine.id, version_id: 1, name: 'www.example.org' });
    expect(domain.name).toBe('www.example.org');
  });

  it('names the own service that already has the domain active', async () => {
    const first = await serviceWithDomain(h.fastly, 'first-site');
    await h.fastly.versions.activateServiceVersion({ service_id: first.id, version_id: 1 });
    const second = await h.fastly.services.createService({ name: 'second' });
    const failure = await failureOf(h.fastly.domains.createDomain({ service_id: second.id, version_id: 1, name: 'www.example.org' }));
    expect(failure.status).toBe(400);
    expect(failure.body).toEqual({ msg: 'Bad request', detail: "Domain 'www.example.org' is already taken by service 'first-site'" });
  });

  it('refuses an activation whose domain another account took meanwhile', async () => {
    const mine = await serviceWithDomain();
    const other = await h.createAccount('other');
    await h.control('POST', '/holds', { domain: 'www.example.org', account: other.customerId });
    const failure = await failureOf(h.fastly.versions.activateServiceVersion({ service_id: mine.id, version_id: 1 }));
    expect(failure.body.detail).toBe("Domain 'www.example.org' is owned by another customer");
    expect((await h.state()).services.find((s) => s.id === mine.id)?.versions[0]?.activations).toBe(0);
  });

  it('refuses, then after the release delay accepts, a domain another account let go (hold)', async () => {
    const other = await h.createAccount('old-account');
    expect((await h.control('POST', '/holds', { domain: 'www.example.org', account: other.customerId })).status).toBe(201);
    const mine = await h.fastly.services.createService({ name: 'new' });
    const add = () => h.fastly.domains.createDomain({ service_id: mine.id, version_id: 1, name: 'www.example.org' });
    expect((await failureOf(add())).body.detail).toMatch(/owned by another customer/);

    const released = await h.control('DELETE', '/holds/www.example.org');
    expect(released.body).toEqual({ domain: 'www.example.org', releasedAt: new Date(h.clock.now() + 60_000).toISOString() });
    expect((await failureOf(add())).body.detail).toMatch(/owned by another customer/);
    h.clock.advance(59_999);
    expect((await failureOf(add())).status).toBe(400);
    h.clock.advance(1);
    expect((await add()).name).toBe('www.example.org');
  });

  it('starts the release delay when the holder deactivates, deletes the domain, the service or the account', async () => {
    const other = await h.createAccount('old');
    const mine = await h.fastly.services.createService({ name: 'new' });
    const add = (name: string) => h.fastly.domains.createDomain({ service_id: mine.id, version_id: 1, name });
    const letGo: Record<string, (serviceId: string) => Promise<unknown>> = {
      'deactivate.example.org': (id) => other.fastly.versions.deactivateServiceVersion({ service_id: id, version_id: 1 }),
      'domain.example.org': async (id) => {
        await other.fastly.versions.cloneServiceVersion({ service_id: id, version_id: 1 });
        await other.fastly.domains.deleteDomain({ service_id: id, version_id: 2, domain_name: 'domain.example.org' });
        await other.fastly.versions.activateServiceVersion({ service_id: id, version_id: 2 });
      },
      'service.example.org': async (id) => {
        await other.fastly.versions.deactivateServiceVersion({ service_id: id, version_id: 1 });
        await other.fastly.services.deleteService({ service_id: id });
      },
    };
    for (const [domain, release] of Object.entries(letGo)) {
      const theirs = await serviceWithDomain(other.fastly, domain, domain);
      await other.fastly.versions.activateServiceVersion({ service_id: theirs.id, version_id: 1 });
      await release(theirs.id);
      expect((await failureOf(add(domain))).body.detail, domain).toMatch(/owned by another customer/);
    }
    const gone = await h.createAccount('deleted-later');
    const theirs = await serviceWithDomain(gone.fastly, 'x', 'account.example.org');
    await gone.fastly.versions.activateServiceVersion({ service_id: theirs.id, version_id: 1 });
    await h.control('DELETE', `/accounts/${gone.customerId}`);
    expect((await failureOf(add('account.example.org'))).body.detail).toMatch(/owned by another customer/);
    expect((await failureOf(gone.fastly.services.listServices({}))).status).toBe(401);

    h.clock.advance(60_000);
    for (const domain of [...Object.keys(letGo), 'account.example.org']) expect((await add(domain)).name).toBe(domain);
  });

  it('lets the holder itself re-add a domain during its own release delay', async () => {
    const service = await serviceWithDomain();
    await h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 });
    await h.fastly.versions.deactivateServiceVersion({ service_id: service.id, version_id: 1 });
    const other = await h.fastly.services.createService({ name: 'other' });
    expect((await h.fastly.domains.createDomain({ service_id: other.id, version_id: 1, name: 'www.example.org' })).name).toBe('www.example.org');
  });

  it('refuses a duplicate in the same version (409) and a malformed name (400)', async () => {
    const service = await serviceWithDomain();
    const duplicate = await failureOf(h.fastly.domains.createDomain({ service_id: service.id, version_id: 1, name: 'www.example.org' }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.msg).toBe('Duplicate record');
    const malformed = await failureOf(h.fastly.domains.createDomain({ service_id: service.id, version_id: 1, name: 'not a domain' }));
    expect(malformed.status).toBe(400);
    expect(malformed.body.msg).toBe('Bad request');
  });

  it('gets, checks and deletes domains of a draft', async () => {
    const service = await serviceWithDomain();
    expect((await h.fastly.domains.getDomain({ service_id: service.id, version_id: 1, domain_name: 'www.example.org' })).name).toBe('www.example.org');
    const checks = await h.fastly.domains.checkDomains({ service_id: service.id, version_id: 1 });
    expect(checks).toHaveLength(1);
    await h.fastly.domains.deleteDomain({ service_id: service.id, version_id: 1, domain_name: 'www.example.org' });
    expect(await h.fastly.domains.listDomains({ service_id: service.id, version_id: 1 })).toEqual([]);
    expect((await failureOf(h.fastly.domains.getDomain({ service_id: service.id, version_id: 1, domain_name: 'www.example.org' }))).status).toBe(404);
  });
});
