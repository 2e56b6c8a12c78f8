import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureOf, startSimHarness, type SimHarness } from './support/sim-harness';

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

/** The raw JSON:API document (fastly-js's models drop `included` and `relationships`). */
async function rawSubscription(tls: any, id: string, include?: string) {
  const { response } = await tls.getTlsSubWithHttpInfo({ tls_subscription_id: id, include });
  return response.body;
}

describe('TLS subscriptions', () => {
  it('moves pending -> processing -> issued, one TLS delay each', async () => {
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

  it('answers in JSON:API and shows the DNS challenges with include=tls_authorizations', async () => {
    const created = await h.fastly.tls.createTlsSubWithHttpInfo(subscriptionBody('www.example.org'));
    expect(created.response.headers['content-type']).toContain('application/vnd.api+json');
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

  it('fails the current subscription, or the next one, on /__sim/tls-failures; PATCH restarts it', async () => {
    const current = await h.fastly.tls.createTlsSub(subscriptionBody('now.example.org'));
    await h.control('POST', '/tls-failures', { domain: 'now.example.org' });
    expect((await h.fastly.tls.getTlsSub({ tls_subscription_id: current.data.id })).data.attributes.state).toBe('failed');

    await h.control('POST', '/tls-failures', { domain: 'next.example.org' });
    const next = await h.fastly.tls.createTlsSub(subscriptionBody('next.example.org'));
    expect(next.data.attributes.state).toBe('failed');
    h.clock.advance(120_000);
    expect((await h.fastly.tls.getTlsSub({ tls_subscription_id: next.data.id })).data.attributes.state).toBe('failed');

    const retried = await h.fastly.tls.patchTlsSub({ tls_subscription_id: next.data.id, tls_subscription: { data: { type: 'tls_subscription' } } });
    expect(retried.data.attributes.state).toBe('pending');
    h.clock.advance(60_000);
    expect((await h.fastly.tls.getTlsSub({ tls_subscription_id: next.data.id })).data.attributes.state).toBe('issued');
  });

  it('refuses bad bodies, duplicates and unknown ids in JSON:API error shape', async () => {
    const bad = await failureOf(h.fastly.tls.createTlsSub({ tls_subscription: { data: { type: 'tls_subscription', relationships: { tls_domains: { data: [] } } } } }));
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/vnd.api+json');
    expect(bad.body.errors[0]).toMatchObject({ title: 'Bad request', status: '400' });
    await h.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    const duplicate = await failureOf(h.fastly.tls.createTlsSub(subscriptionBody('www.example.org')));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0].detail).toMatch(/already has a TLS subscription/);
    const missing = await failureOf(h.fastly.tls.getTlsSub({ tls_subscription_id: 'nope' }));
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].status).toBe('404');
  });

  it("claims its domains for the account: others are refused until the release delay after deletion", async () => {
    const other = await h.createAccount('old');
    const theirs = await other.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    const mine = await h.fastly.services.createService({ name: 'new' });
    const add = () => h.fastly.domains.createDomain({ service_id: mine.id, version_id: 1, name: 'www.example.org' });
    expect((await failureOf(add())).body).toEqual({ msg: 'Bad request', detail: "Domain 'www.example.org' is owned by another customer" });
    const tlsRefused = await failureOf(h.fastly.tls.createTlsSub(subscriptionBody('www.example.org')));
    expect(tlsRefused.body.errors[0].detail).toBe("Domain 'www.example.org' is owned by another customer");

    await other.fastly.tls.deleteTlsSub({ tls_subscription_id: theirs.data.id });
    expect((await failureOf(add())).status).toBe(400);
    h.clock.advance(60_000);
    expect((await add()).name).toBe('www.example.org');
  });

  it('keeps a domain with a TLS subscription from being deleted from a service', async () => {
    const service = await h.fastly.services.createService({ name: 's' });
    await h.fastly.domains.createDomain({ service_id: service.id, version_id: 1, name: 'www.example.org' });
    const sub = await h.fastly.tls.createTlsSub(subscriptionBody('www.example.org'));
    const refused = await failureOf(h.fastly.domains.deleteDomain({ service_id: service.id, version_id: 1, domain_name: 'www.example.org' }));
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/TLS subscription/);
    await h.fastly.tls.deleteTlsSub({ tls_subscription_id: sub.data.id });
    await h.fastly.domains.deleteDomain({ service_id: service.id, version_id: 1, domain_name: 'www.example.org' });
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
    expect(created.body).toMatchObject({ fqdn: 'www.example.org', service_id: null, description: 'main', activated: false, verified: true });
    expect(Object.keys(created.body)).toEqual(expect.arrayContaining(['id', 'fqdn', 'service_id', 'description', 'activated', 'verified']));
    const id = created.body.id;
    expect((await dm(token, 'GET', '?fqdn=www.example.org')).body.data.map((d: any) => d.id)).toEqual([id]);
    expect((await dm(token, 'GET', '?fqdn=other.example.org')).body.data).toEqual([]);

    const linked = await dm(token, 'PATCH', `/${id}`, { service_id: service.id });
    expect(linked.body.service_id).toBe(service.id);
    expect((await dm(token, 'GET', `/${id}`)).body.service_id).toBe(service.id);
    expect((await dm(token, 'PATCH', `/${id}`, { service_id: 'nope' })).status).toBe(400);
    expect((await dm(token, 'POST', '', { fqdn: 'www.example.org' })).status).toBe(409);
    expect((await dm(token, 'DELETE', `/${id}`)).status).toBe(204);
    expect((await dm(token, 'GET', `/${id}`)).status).toBe(404);
  });

  it('shares global ownership with classic domains, with problem-details errors', async () => {
    const other = await h.createAccount('old');
    const theirs = await dm(other.token, 'POST', '', { fqdn: 'www.example.org' });
    const refused = await dm(h.sim.defaultAccount.token, 'POST', '', { fqdn: 'www.example.org' });
    expect(refused.status).toBe(400);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.detail).toBe("Domain 'www.example.org' is owned by another customer");
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
    const bulk = await h.fastly.purge.bulkPurgeTag({ service_id: service.id, purge_response: { surrogate_keys: ['a', 'b'] } });
    expect(Object.keys(bulk)).toEqual(['a', 'b']);
    const viaHeader = await h.fastly.purge.bulkPurgeTag({ service_id: service.id, surrogate_key: 'c d' });
    expect(Object.keys(viaHeader)).toEqual(['c', 'd']);
    expect((await h.fastly.purge.purgeAll({ service_id: service.id })).status).toBe('ok');
    const purges = (await h.state()).purges.map(({ kind, target, soft }: any) => [kind, target, soft]);
    expect(purges).toEqual([
      ['url', 'www.example.org/@alice', true],
      ['key', 'timeline', false],
      ['key', 'a', false],
      ['key', 'b', false],
      ['key', 'c', false],
      ['key', 'd', false],
      ['all', '*', false],
    ]);
    const tooMany = await failureOf(h.fastly.purge.bulkPurgeTag({ service_id: service.id, purge_response: { surrogate_keys: Array.from({ length: 257 }, (_, i) => `k${i}`) } }));
    expect(tooMany.status).toBe(400);
    const other = await h.createAccount('other');
    expect((await failureOf(other.fastly.purge.purgeAll({ service_id: service.id }))).status).toBe(404);
  });
});
