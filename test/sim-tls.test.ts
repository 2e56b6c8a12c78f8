import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureOf, type SimHarness, startSimHarness } from './support/sim-harness';

let h: SimHarness;
beforeEach(async () => {
  h = await startSimHarness({ tlsDelayMs: 30_000, releaseDelayMs: 60_000 });
});
afterEach(() => h.sim.close());

const subscriptionBody = (...domains: string[]) => ({
  tls_subscription: {
    data: {
      type: 'tls_subscription',
      attributes: { certificate_authority: 'lets-encrypt' },
      relationships: { tls_domains: { data: domains.map((id) => ({ type: 'tls_domain', id })) } },
    },
  },
});

/** Puts the domains on an active version of a new service of the account: Fastly's condition for a subscription. */
async function serveOnActiveVersion(fastly: SimHarness['fastly'], ...domains: string[]) {
  const service = await fastly.services.createService({ name: `serves ${domains.join(' ')}`, type: 'vcl' });
  for (const name of domains) await fastly.domains.createDomain({ service_id: service.id, version_id: 1, name });
  await fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 });
  return service;
}

/** The raw JSON:API document (fastly-js's models drop `included` and `relationships`). */
async function rawSubscription(tls: any, id: string, include?: string) {
  const { response } = await tls.getTlsSubWithHttpInfo({ tls_subscription_id: id, include });
  return response.body;
}

describe('TLS subscriptions', () => {
  it('moves pending -> processing -> issued, one TLS delay each', async () => {
    await serveOnActiveVersion(h.fastly, 'www.example.org');
    const created = await h.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    expect(created.data.attributes.state).toBe('pending');
    const id = created.data.id;
    const stateNow = async () => (await h.fastly.tls.getTlsSub({ tls_subscription_id: id })).data.attributes.state;
    h.clock.advance(29_999);
    expect(await stateNow()).toBe('pending');
    h.clock.advance(1);
    expect(await stateNow()).toBe('processing');
    h.clock.advance(29_999);
    expect(await stateNow()).toBe('processing');
    h.clock.advance(1);
    expect(await stateNow()).toBe('issued');
  });

  it('answers in JSON:API, with the DNS challenges in the create answer and with include=tls_authorizations', async () => {
    await serveOnActiveVersion(h.fastly, 'www.example.org');
    const created = await h.fastly.tls.createTlsSubWithHttpInfo(subscriptionBody('www.example.org'));
    expect(created.response.headers['content-type']).toContain('application/vnd.api+json');
    expect(created.response.headers['fastly-ratelimit-remaining']).toBeUndefined();
    expect(created.response.body.included.map((item: any) => item.type)).toEqual(['tls_authorization']);
    const doc = await rawSubscription(h.fastly.tls, created.data.data.id, 'tls_authorizations');
    expect(doc.data.relationships.tls_domains.data).toEqual([{ type: 'tls_domain', id: 'www.example.org' }]);
    expect(doc.included).toHaveLength(1);
    const challenges = doc.included[0].attributes.challenges;
    const dns = challenges.find((c: any) => c.type === 'managed-dns');
    expect(dns.record_type).toBe('CNAME');
    expect(dns.record_name).toBe('_acme-challenge.www.example.org');
    expect(dns.values[0]).toMatch(/^[a-z0-9]+\.fastly-validations\.com$/);
    const cname = challenges.find((c: any) => c.type === 'managed-http-cname');
    expect(cname.record_name).toBe('www.example.org');
    expect(cname.values[0]).toMatch(/^[a-z]\.sni\.global\.fastly\.net$/);
    const plain = await rawSubscription(h.fastly.tls, created.data.data.id);
    expect(plain.included).toBeUndefined();
  });

  it('finds subscriptions by domain and state', async () => {
    await serveOnActiveVersion(h.fastly, 'a.example.org', 'b.example.org');
    const a = await h.fastly.tls.createTlsSub(subscriptionBody('a.example.org'));
    await h.fastly.tls.createTlsSub(subscriptionBody('b.example.org'));
    // fastly-js parses list items as whole documents and loses their ids: read the raw body.
    const list = async (options: object) => (await h.fastly.tls.listTlsSubsWithHttpInfo(options)).response.body;
    const found = await list({ filter_tls_domains_id: 'a.example.org' });
    expect(found.data.map((s: any) => s.id)).toEqual([a.data.id]);
    expect(found.meta.record_count).toBe(1);
    expect((await list({ filter_state: 'issued' })).data).toEqual([]);
    expect((await list({})).data).toHaveLength(2);
    h.clock.advance(60_000);
    expect((await list({ filter_state: 'issued' })).data).toHaveLength(2);
  });

  it('fails the current subscription, or the next one, on /__sim/tls-failures; PATCH with state "retry" restarts it', async () => {
    await serveOnActiveVersion(h.fastly, 'now.example.org', 'next.example.org');
    const current = await h.fastly.tls.createTlsSub(subscriptionBody('now.example.org'));
    await h.control('POST', '/tls-failures', { domain: 'now.example.org' });
    expect((await h.fastly.tls.getTlsSub({ tls_subscription_id: current.data.id })).data.attributes.state).toBe('failed');

    await h.control('POST', '/tls-failures', { domain: 'next.example.org' });
    const next = await h.fastly.tls.createTlsSub(subscriptionBody('next.example.org'));
    expect(next.data.attributes.state).toBe('failed');
    h.clock.advance(120_000);
    expect((await h.fastly.tls.getTlsSub({ tls_subscription_id: next.data.id })).data.attributes.state).toBe('failed');

    const patch = (attributes: object) =>
      h.fastly.tls.patchTlsSub({ tls_subscription_id: next.data.id, tls_subscription: { data: { type: 'tls_subscription', attributes } } });
    expect((await patch({})).data.attributes.state).toBe('failed');
    const retried = await patch({ state: 'retry' });
    expect(retried.data.attributes.state).toBe('pending');
    h.clock.advance(60_000);
    expect((await h.fastly.tls.getTlsSub({ tls_subscription_id: next.data.id })).data.attributes.state).toBe('issued');
  });

  it('refuses bad bodies, duplicates and unknown ids in JSON:API error shape', async () => {
    const bad = await failureOf(
      h.fastly.tls.createTlsSub({ tls_subscription: { data: { type: 'tls_subscription', relationships: { tls_domains: { data: [] } } } } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/vnd.api+json');
    expect(bad.body.errors[0]).toMatchObject({ title: 'Bad request' });
    await serveOnActiveVersion(h.fastly, 'www.example.org');
    await h.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    const duplicate = await failureOf(h.fastly.tls.createTlsSub(subscriptionBody('www.example.org')));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0].detail).toMatch(/already has a TLS subscription/);
    const missing = await failureOf(h.fastly.tls.getTlsSub({ tls_subscription_id: 'nope' }));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ errors: [{ title: 'Not found', detail: 'The subscription you requested was not found' }] });
  });

  it("refuses a domain that is not on an active version of one of the account's services", async () => {
    const service = await h.fastly.services.createService({ name: 'draft only', type: 'vcl' });
    await h.fastly.domains.createDomain({ service_id: service.id, version_id: 1, name: 'www.example.org' });
    const refused = await failureOf(h.fastly.tls.createTlsSub(subscriptionBody('www.example.org')));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      errors: [
        {
          title: 'The domain you entered was not found on one of your services',
          detail: 'Please add www.example.org to an active service to begin TLS enablement.',
        },
      ],
    });
    await h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 });
    expect((await h.fastly.tls.createTlsSub(subscriptionBody('www.example.org'))).data.attributes.state).toBe('pending');
  });

  it('accepts relationships.tls_domain (singular), as go-fastly sends it', async () => {
    await serveOnActiveVersion(h.fastly, 'www.example.org');
    const response = await fetch(`${h.sim.url}/tls/subscriptions`, {
      method: 'POST',
      headers: { 'fastly-key': h.sim.defaultAccount.token, 'content-type': 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'tls_subscription', relationships: { tls_domain: { data: [{ type: 'tls_domain', id: 'www.example.org' }] } } } }),
    });
    expect(response.status).toBe(201);
    expect((await response.json()).data.relationships.tls_domains.data).toEqual([{ type: 'tls_domain', id: 'www.example.org' }]);
  });

  it('refuses to delete a subscription whose certificate is active, unless force=true', async () => {
    await serveOnActiveVersion(h.fastly, 'pending.example.org', 'www.example.org');
    const pending = await h.fastly.tls.createTlsSub(subscriptionBody('pending.example.org'));
    await h.fastly.tls.deleteTlsSub({ tls_subscription_id: pending.data.id });
    const sub = await h.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    h.clock.advance(60_000);
    const refused = await failureOf(h.fastly.tls.deleteTlsSub({ tls_subscription_id: sub.data.id }));
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ errors: [{ title: "Can't delete subscription", detail: 'Subscription has active domains' }] });
    const forced = await fetch(`${h.sim.url}/tls/subscriptions/${sub.data.id}?force=true`, {
      method: 'DELETE',
      headers: { 'fastly-key': h.sim.defaultAccount.token },
    });
    expect(forced.status).toBe(204);
    expect((await h.state()).tlsSubscriptions).toEqual([]);
  });

  it('claims its domains for the account: others are refused until the release delay after deletion', async () => {
    const other = await h.createAccount('old');
    const theirService = await serveOnActiveVersion(other.fastly, 'www.example.org');
    const theirs = await other.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    await other.fastly.versions.deactivateServiceVersion({ service_id: theirService.id, version_id: 1 });
    const mine = await h.fastly.services.createService({ name: 'new' });
    const add = () => h.fastly.domains.createDomain({ service_id: mine.id, version_id: 1, name: 'www.example.org' });
    // The subscription alone keeps the claim.
    expect((await failureOf(add())).body).toEqual({ msg: 'Bad request', detail: "Domain 'www.example.org' is owned by another customer" });

    await other.fastly.tls.deleteTlsSub({ tls_subscription_id: theirs.data.id });
    expect((await failureOf(add())).status).toBe(400);
    h.clock.advance(60_000);
    expect((await add()).name).toBe('www.example.org');
  });

  it('keeps a domain with a TLS subscription from being deleted from a service', async () => {
    const service = await serveOnActiveVersion(h.fastly, 'www.example.org');
    const sub = await h.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    const draft = await h.fastly.versions.cloneServiceVersion({ service_id: service.id, version_id: 1 });
    const remove = () => h.fastly.domains.deleteDomain({ service_id: service.id, version_id: draft.number, domain_name: 'www.example.org' });
    const refused = await failureOf(remove());
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/TLS subscription/);
    await fetch(`${h.sim.url}/tls/subscriptions/${sub.data.id}?force=true`, { method: 'DELETE', headers: { 'fastly-key': h.sim.defaultAccount.token } });
    await remove();
  });

  it('blocks subdomains of a domain, or of a wildcard, that another account holds', async () => {
    const other = await h.createAccount('old');
    await serveOnActiveVersion(other.fastly, 'example.org', '*.example.net');
    const mine = await h.fastly.services.createService({ name: 'new' });
    const add = (name: string) => h.fastly.domains.createDomain({ service_id: mine.id, version_id: 1, name });
    for (const name of ['www.example.org', 'a.b.example.org', 'www.example.net']) {
      expect((await failureOf(add(name))).body).toEqual({ msg: 'Bad request', detail: `Domain '${name}' is owned by another customer` });
    }
    expect((await add('example.com')).name).toBe('example.com');
    expect((await add('example.net')).name).toBe('example.net');
  });
});

describe('Domain Management v1', () => {
  const dm = async (token: string, method: string, path = '', body?: unknown) => {
    const response = await fetch(`${h.sim.url}/domain-management/v1/domains${path}`, {
      method,
      headers: { 'fastly-key': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: response.status === 204 ? null : await response.json() };
  };

  it('creates, lists by fqdn, links to a service, and deletes versionless domains', async () => {
    const token = h.sim.defaultAccount.token;
    const service = await h.fastly.services.createService({ name: 's' });
    const created = await dm(token, 'POST', '', { fqdn: 'WWW.example.org', description: 'main' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ fqdn: 'www.example.org', service_id: null, description: 'main', activated: false, verified: false });
    expect(Object.keys(created.body)).toEqual(expect.arrayContaining(['id', 'fqdn', 'service_id', 'description', 'activated', 'verified']));
    const id = created.body.id;
    expect((await dm(token, 'GET', '?fqdn=www.example.org')).body.data.map((d: any) => d.id)).toEqual([id]);
    expect((await dm(token, 'GET', '?fqdn=other.example.org')).body.data).toEqual([]);

    const linked = await dm(token, 'PATCH', `/${id}`, { service_id: service.id });
    expect(linked.body.service_id).toBe(service.id);
    expect((await dm(token, 'GET', `/${id}`)).body.service_id).toBe(service.id);
    expect((await dm(token, 'PATCH', `/${id}`, { service_id: 'nope' })).status).toBe(400);
    const duplicate = await dm(token, 'POST', '', { fqdn: 'www.example.org' });
    expect(duplicate).toEqual({
      status: 400,
      type: 'application/json',
      body: { errors: [{ title: 'Invalid value for fqdn', detail: 'fqdn has already been taken' }] },
    });
    expect((await dm(token, 'DELETE', `/${id}`)).status).toBe(204);
    expect((await dm(token, 'GET', `/${id}`)).status).toBe(404);
  });

  it('is verified and activated once a Fastly-managed certificate for it is issued; not deleted while in a subscription', async () => {
    const token = h.sim.defaultAccount.token;
    const service = await serveOnActiveVersion(h.fastly, 'www.example.org');
    const created = await dm(token, 'POST', '', { fqdn: 'www.example.org', service_id: service.id });
    expect(created.body).toMatchObject({ activated: false, verified: false });
    const sub = await h.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    h.clock.advance(60_000);
    expect((await dm(token, 'GET', `/${created.body.id}`)).body).toMatchObject({ activated: true, verified: true });
    const refused = await dm(token, 'DELETE', `/${created.body.id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toEqual({
      title: 'Invalid value for subscriptions',
      detail: `This domain is linked to the following Fastly-managed TLS subscription(s): ${sub.data.id}. Remove the subscription(s) before deleting this domain.`,
    });
  });

  it('shares global ownership with classic domains, with {errors:[{title, detail}]} errors', async () => {
    const other = await h.createAccount('old');
    const theirs = await dm(other.token, 'POST', '', { fqdn: 'www.example.org' });
    const refused = await dm(h.sim.defaultAccount.token, 'POST', '', { fqdn: 'www.example.org' });
    expect(refused.status).toBe(400);
    expect(refused.type).toBe('application/json');
    expect(refused.body.errors[0].detail).toBe("Domain 'www.example.org' is owned by another customer");
    const mine = await h.fastly.services.createService({ name: 'new' });
    expect((await failureOf(h.fastly.domains.createDomain({ service_id: mine.id, version_id: 1, name: 'www.example.org' }))).status).toBe(400);
    await dm(other.token, 'DELETE', `/${theirs.body.id}`);
    h.clock.advance(60_000);
    expect((await dm(h.sim.defaultAccount.token, 'POST', '', { fqdn: 'www.example.org' })).status).toBe(201);
    expect((await dm(h.sim.defaultAccount.token, 'POST', '', { fqdn: 'not a name' })).status).toBe(400);
    expect((await dm('bad-token', 'GET')).status).toBe(401);
  });
});

describe('purge', () => {
  it('purges a URL, a key, many keys and everything, and records each', async () => {
    const service = await h.fastly.services.createService({ name: 's' });
    expect((await h.fastly.purge.purgeSingleUrl({ cached_url: 'www.example.org/@alice', fastly_soft_purge: 1 })).status).toBe('ok');
    expect((await h.fastly.purge.purgeTag({ service_id: service.id, surrogate_key: 'timeline' })).status).toBe('ok');
    // Fastly answers the bulk purge with JSON but no Content-Type: fastly-js's model cannot read it, the text can.
    const bulkKeys = async (options: object) => {
      const { response } = await h.fastly.purge.bulkPurgeTagWithHttpInfo({ service_id: service.id, ...options });
      expect(response.headers['content-type'] ?? '').not.toContain('json');
      return Object.keys(JSON.parse(response.text));
    };
    expect(await bulkKeys({ purge_response: { surrogate_keys: ['a', 'b'] } })).toEqual(['a', 'b']);
    expect(await bulkKeys({ surrogate_key: 'c d' })).toEqual(['c', 'd']);
    expect((await h.fastly.purge.purgeAll({ service_id: service.id })).status).toBe('ok');
    const purges = (await h.state()).purges.map(({ kind, target, soft }) => [kind, target, soft]);
    expect(purges).toEqual([
      ['url', 'www.example.org/@alice', true],
      ['key', 'timeline', false],
      ['key', 'a', false],
      ['key', 'b', false],
      ['key', 'c', false],
      ['key', 'd', false],
      ['all', '*', false],
    ]);
    const tooMany = await failureOf(
      h.fastly.purge.bulkPurgeTag({ service_id: service.id, purge_response: { surrogate_keys: Array.from({ length: 257 }, (_, i) => `k${i}`) } }),
    );
    expect(tooMany.status).toBe(400);
    const other = await h.createAccount('other');
    expect((await failureOf(other.fastly.purge.purgeAll({ service_id: service.id }))).status).toBe(404);
  });
});
