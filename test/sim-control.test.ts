import { afterEach, describe, expect, it } from 'vitest';
import { failureOf, type SimHarness, startSimHarness } from './support/sim-harness';

let h: SimHarness;
afterEach(() => h.sim.close());

describe('write rate limit', () => {
  it('counts writes per user, sends the headers on writes, answers 429 past the limit and resets after the hour', async () => {
    h = await startSimHarness({ writeLimitPerHour: 3 });
    const windowStart = h.clock.now();
    const resetEpoch = String(Math.ceil((windowStart + 3_600_000) / 1000));
    const create = (name: string) => h.fastly.services.createServiceWithHttpInfo({ name });

    const first = await create('a');
    expect(first.response.headers['fastly-ratelimit-remaining']).toBe('2');
    expect(first.response.headers['fastly-ratelimit-reset']).toBe(resetEpoch);
    const listed = await h.fastly.services.listServicesWithHttpInfo({});
    expect(listed.response.headers['fastly-ratelimit-remaining']).toBeUndefined();

    // A second token of the same user shares the budget.
    const token = await h.addToken(h.sim.defaultAccount.customerId);
    const response = await fetch(`${h.sim.url}/service`, {
      method: 'POST',
      headers: { 'fastly-key': token, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=b',
    });
    expect(response.headers.get('fastly-ratelimit-remaining')).toBe('1');
    expect((await create('c')).response.headers['fastly-ratelimit-remaining']).toBe('0');

    const limited = await failureOf(create('d'));
    expect(limited.status).toBe(429);
    expect(limited.headers['fastly-ratelimit-remaining']).toBe('0');
    expect(limited.headers['fastly-ratelimit-reset']).toBe(resetEpoch);
    expect((await h.fastly.services.listServices({})).map((s: any) => s.name)).toEqual(['a', 'b', 'c']);

    // Another user has its own budget; URL and key purges are not limited.
    const other = await h.createAccount('other');
    expect((await other.fastly.services.createServiceWithHttpInfo({ name: 'x' })).response.headers['fastly-ratelimit-remaining']).toBe('2');
    const service = (await h.fastly.services.listServices({}))[0];
    expect((await h.fastly.purge.purgeTag({ service_id: service.id, surrogate_key: 'k' })).status).toBe('ok');

    h.clock.advance(3_600_000);
    expect((await create('d')).response.headers['fastly-ratelimit-remaining']).toBe('2');
  });
});

describe('faults', () => {
  it('injects error statuses on Fastly paths only, and clears with {}', async () => {
    h = await startSimHarness();
    expect((await h.control('POST', '/faults', { errorRate: 1, statuses: [502] })).status).toBe(200);
    const failure = await failureOf(h.fastly.services.listServices({}));
    expect(failure.status).toBe(502);
    expect((await h.control('GET', '/state')).status).toBe(200);
    await h.control('POST', '/faults', {});
    expect(await h.fastly.services.listServices({})).toEqual([]);
  });

  it('drops connections at resetRate 1', async () => {
    h = await startSimHarness();
    await h.control('POST', '/faults', { resetRate: 1 });
    const error = await fetch(`${h.sim.url}/service`, { headers: { 'fastly-key': h.sim.defaultAccount.token } }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TypeError);
    await h.control('POST', '/faults', { errorRate: 0 });
    expect(await h.fastly.services.listServices({})).toEqual([]);
  });

  it('fails some requests at a partial rate, the same ones for the same seed', async () => {
    const outcomes: number[][] = [];
    for (let run = 0; run < 2; run++) {
      h = await startSimHarness({ seed: 42 });
      await h.control('POST', '/faults', { errorRate: 0.5, statuses: [500, 503] });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await fetch(`${h.sim.url}/service`, { headers: { 'fastly-key': h.sim.defaultAccount.token } })).status);
      outcomes.push(statuses);
      if (run === 0) await h.sim.close();
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toContain(200);
    expect(outcomes[0]!.some((status) => status === 500 || status === 503)).toBe(true);
  });

  it('delays Fastly API answers by latencyMs, not the control API', async () => {
    h = await startSimHarness();
    await h.control('POST', '/faults', { latencyMs: 5_000 });
    const slow = fetch(`${h.sim.url}/service`, { headers: { 'fastly-key': h.sim.defaultAccount.token }, signal: AbortSignal.timeout(200) });
    await expect(slow).rejects.toThrow(/aborted|timeout/i);
    const state = await fetch(`${h.sim.url}/__sim/state`, { signal: AbortSignal.timeout(2_000) });
    expect(await state.json()).toMatchObject({ faults: { latencyMs: 5_000 } });
    await h.control('POST', '/faults', {});
  });

  it('refuses malformed fault settings with a 400', async () => {
    h = await startSimHarness();
    const response = await h.control('POST', '/faults', { errorRate: 2 });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ msg: 'Bad request' });
  });
});

describe('state dump and request log', () => {
  it('logs each Fastly API call with method, path, status and customer', async () => {
    h = await startSimHarness();
    const service = await h.fastly.services.createService({ name: 's' });
    await failureOf(h.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 9 }));
    await fetch(`${h.sim.url}/service`);
    const state = await h.state();
    const customerId = h.sim.defaultAccount.customerId;
    expect(state.requests.map(({ method, path, status, customerId }) => ({ method, path, status, customerId }))).toEqual([
      { method: 'POST', path: '/service', status: 200, customerId },
      { method: 'PUT', path: `/service/${service.id}/version/9/activate`, status: 404, customerId },
      { method: 'GET', path: '/service', status: 401, customerId: null },
    ]);
  });

  it('gives the same ids and token for the same seed, different ones for another seed', async () => {
    h = await startSimHarness({ seed: 7 });
    const first = { token: h.sim.defaultAccount.token, id: (await h.fastly.services.createService({ name: 's' })).id };
    await h.sim.close();
    h = await startSimHarness({ seed: 7 });
    expect({ token: h.sim.defaultAccount.token, id: (await h.fastly.services.createService({ name: 's' })).id }).toEqual(first);
    await h.sim.close();
    h = await startSimHarness({ seed: 8 });
    expect(h.sim.defaultAccount.token).not.toBe(first.token);
  });

  it('refuses a hold for an unknown account and a release of a domain nobody holds', async () => {
    h = await startSimHarness();
    expect((await h.control('POST', '/holds', { domain: 'www.example.org', account: 'nobody' })).status).toBe(400);
    expect((await h.control('POST', '/holds', { domain: 'not a domain', account: h.sim.defaultAccount.customerId })).status).toBe(400);
    expect((await h.control('DELETE', '/holds/www.example.org')).status).toBe(404);
  });
});

describe('bad input', () => {
  it('answers malformed requests with Fastly-shaped 4xx, never a 500', async () => {
    h = await startSimHarness();
    const service = await h.fastly.services.createService({ name: 's', type: 'wasm' });
    const requests: Array<[string, string, string?, string?]> = [
      ['POST', '/service', '{bad json', 'application/json'],
      ['POST', '/service', '--x\r\n', 'multipart/form-data; boundary=x'],
      ['GET', `/service/${service.id}/version/abc`],
      ['PUT', `/service/${service.id}/version/99999999999999999999/activate`],
      ['POST', `/service/${service.id}/version/1/domain`, 'name[]=a&name[]=b', 'application/x-www-form-urlencoded'],
      ['POST', `/service/${service.id}/version/1/backend`, 'name=a&address=b&port=abc', 'application/x-www-form-urlencoded'],
      ['PUT', `/service/${service.id}/version/1/package`, 'x', 'multipart/form-data'],
      ['POST', '/tls/subscriptions', 'null', 'application/vnd.api+json'],
      ['POST', '/domain-management/v1/domains', '"text"', 'application/json'],
      ['PATCH', '/resources/stores/config/nope/items', '{}', 'application/json'],
      ['POST', '/purge/%E0%A4%A'],
      ['GET', '/no/such/path'],
      ['POST', '/__sim/accounts', 'nope', 'application/json'],
      ['POST', '/__sim/faults', '[1]', 'application/json'],
    ];
    for (const [method, path, body, type] of requests) {
      const response = await fetch(`${h.sim.url}${path}`, {
        method,
        headers: { 'fastly-key': h.sim.defaultAccount.token, ...(type ? { 'content-type': type } : {}) },
        body,
      });
      const parsed = (await response.json()) as Record<string, unknown>;
      expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
      expect(parsed.detail ?? (parsed.errors as any)?.[0]?.detail, `${method} ${path}`).toEqual(expect.any(String));
    }
  });

  it('ignores unknown query parameters such as the `_` fastly-js adds', async () => {
    h = await startSimHarness();
    const response = await fetch(`${h.sim.url}/service?_=1700000000000&foo=bar`, { headers: { 'fastly-key': h.sim.defaultAccount.token } });
    expect(response.status).toBe(200);
  });
});
