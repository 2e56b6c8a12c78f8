import { describe, expect, it } from 'vitest';
import { EdgeplaneError } from '../src/errors';
import { DomainPage, DomainRecord, ServiceRecord } from '../src/model';
import { apiHarness, SECOND_TOKEN, TOKEN, toot } from './api-harness';

async function problem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `urn:edgeplane:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body as { detail: string; issues?: { path: string; message: string }[] };
}

async function withService() {
  const harness = apiHarness();
  expect((await harness.request('POST', '/v1/services', toot)).status).toBe(201);
  return harness;
}

describe('auth', () => {
  it('lets GET /healthz through without a token', async () => {
    const { app } = apiHarness();
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it.each([
    ['GET', '/v1/services'],
    ['POST', '/v1/services'],
    ['GET', '/v1/services/toot/domains/toot.example'],
    ['DELETE', '/v1/services/toot/domains/toot.example'],
    ['GET', '/metrics'],
    ['GET', '/openapi.json'],
    ['GET', '/docs'],
    ['POST', '/healthz'],
    ['GET', '/no/such/route'],
  ])('refuses %s %s without a token', async (method, path) => {
    const { app } = apiHarness();
    const response = await app.request(path, { method });
    await problem(response, 401, 'unauthorized');
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="edgeplane"');
  });

  it.each([
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 10)}`],
    ['another scheme', `Basic ${TOKEN}`],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s', async (_label, authorization) => {
    const { request } = apiHarness();
    await problem(await request('GET', '/v1/services', undefined, { authorization }), 401, 'unauthorized');
  });

  it('accepts every configured token', async () => {
    const { request } = apiHarness();
    expect((await request('GET', '/v1/services')).status).toBe(200);
    expect((await request('GET', '/v1/services', undefined, { authorization: `bearer ${SECOND_TOKEN}` })).status).toBe(200);
  });

  it('does not read the body of an unauthenticated request', async () => {
    const { app, controlPlane } = apiHarness();
    const response = await app.request('/v1/services', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(toot),
    });
    await problem(response, 401, 'unauthorized');
    expect(controlPlane.services.size).toBe(0);
  });
});

describe('services', () => {
  it('creates, lists and shows a service by name', async () => {
    const { request } = apiHarness();
    const created = await request('POST', '/v1/services', toot);
    expect(created.status).toBe(201);
    const record = ServiceRecord.parse(await created.json());
    expect(record).toMatchObject({ name: 'toot', origins: { main: { address: 'lb.toot.example', port: 443, useTls: true } } });

    const list = (await (await request('GET', '/v1/services')).json()) as { services: unknown[] };
    expect(list.services.map((service) => ServiceRecord.parse(service).name)).toEqual(['toot']);

    const shown = await request('GET', '/v1/services/toot');
    expect(shown.status).toBe(200);
    expect(ServiceRecord.parse(await shown.json()).fastlyServiceId).toBe(record.fastlyServiceId);
  });

  it('answers 404 problem for an unknown service', async () => {
    const { request } = apiHarness();
    expect((await problem(await request('GET', '/v1/services/nope'), 404, 'not_found')).detail).toMatch(/nope/);
  });

  it('refuses an invalid service name in the path', async () => {
    const { request } = apiHarness();
    await problem(await request('GET', '/v1/services/Not_Valid'), 400, 'invalid_input');
  });

  it.each([
    ['an unknown top-level field', { ...toot, colour: 'blue' }, 'colour'],
    ['an unknown origin field', { ...toot, origins: { ...toot.origins, main: { ...toot.origins.main, weight: 3 } } }, 'origins.main.weight'],
    ['a missing origin', { name: 'toot', origins: { main: toot.origins.main } }, 'origins.static'],
    ['a bad port', { ...toot, origins: { ...toot.origins, main: { address: 'lb', port: 70000 } } }, 'origins.main.port'],
    ['a bad name', { ...toot, name: 'Toot Instance' }, 'name'],
    ['a package path (the server uploads the package of its own configuration)', { ...toot, packagePath: '/etc/passwd' }, 'packagePath'],
    ['an array', [toot], '(root)'],
    ['null', null, '(root)'],
  ])('refuses %s with a 400 naming the field', async (_label, body, path) => {
    const { request, controlPlane } = apiHarness();
    const details = await problem(await request('POST', '/v1/services', body), 400, 'invalid_input');
    expect(details.issues?.map((issue) => issue.path)).toContain(path);
    expect(controlPlane.services.size).toBe(0);
  });

  it('refuses malformed JSON with a 400', async () => {
    const { request } = apiHarness();
    await problem(await request('POST', '/v1/services', '{"name": "toot",'), 400, 'invalid_input');
  });

  it('refuses a body that is not JSON with a 415', async () => {
    const { request } = apiHarness();
    const response = await request('POST', '/v1/services', 'name=toot', { 'content-type': 'application/x-www-form-urlencoded' });
    await problem(response, 415, 'invalid_input');
  });

  it('refuses a missing body with a 400 naming the fields it lacks', async () => {
    const { request } = apiHarness();
    const details = await problem(await request('POST', '/v1/services'), 400, 'invalid_input');
    expect(details.issues?.map((issue) => issue.path)).toEqual(['name', 'origins']);
  });

  it('refuses an oversized body with a 413, by declared length and by streamed length', async () => {
    const { request, app } = apiHarness();
    const big = { ...toot, configStoreName: 'x'.repeat(10_000) };
    await problem(await request('POST', '/v1/services', big), 413, 'invalid_input');

    const bytes = new TextEncoder().encode(JSON.stringify(big));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 1000) controller.enqueue(bytes.slice(offset, offset + 1000));
        controller.close();
      },
    });
    const streamed = await app.request('/v1/services', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await problem(streamed, 413, 'invalid_input');
  });

  it('turns Fastly refusing our own Fastly token into 502, not 401', async () => {
    const { request, controlPlane } = apiHarness();
    controlPlane.failNext(new EdgeplaneError('unauthorized', 'Provided credentials are missing or invalid'));
    const details = await problem(await request('POST', '/v1/services', toot), 502, 'unauthorized');
    expect(details.detail).toMatch(/Fastly refused/);
  });

  it('passes Fastly rate limits on as 429 with Retry-After', async () => {
    const { request, controlPlane } = apiHarness();
    controlPlane.failNext(new EdgeplaneError('rate_limited', 'rate limit exceeded', { resetAt: new Date(Date.now() + 90_000) }));
    const response = await request('POST', '/v1/services', toot);
    await problem(response, 429, 'rate_limited');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(60);
  });

  it('hides an unexpected failure behind a 500 problem without its message', async () => {
    const { request, controlPlane, logLines } = apiHarness();
    controlPlane.failNext(new Error('database file is locked'));
    const details = await problem(await request('GET', '/v1/services'), 500, 'internal');
    expect(details.detail).not.toMatch(/locked/);
    expect(logLines.join('')).toMatch(/database file is locked/);
  });
});

describe('domains', () => {
  it('attaches a domain: 202 with the queued record', async () => {
    const { request } = await withService();
    const response = await request('POST', '/v1/services/toot/domains', { domain: 'toot.example', role: 'main' });
    expect(response.status).toBe(202);
    const record = DomainRecord.parse(await response.json());
    expect(record).toMatchObject({ service: 'toot', domain: 'toot.example', role: 'main', state: 'queued', attempts: 0 });
  });

  it('normalises the domain before the control plane sees it, in bodies and paths', async () => {
    const { request, controlPlane } = await withService();
    const attached = DomainRecord.parse(await (await request('POST', '/v1/services/toot/domains', { domain: 'Bücher.Example', role: 'static' })).json());
    expect(attached.domain).toBe('xn--bcher-kva.example');
    expect([...controlPlane.domains.keys()]).toEqual(['toot/xn--bcher-kva.example']);
    const shown = await request('GET', `/v1/services/toot/domains/${encodeURIComponent('BÜCHER.example')}`);
    expect(shown.status).toBe(200);
    expect(DomainRecord.parse(await shown.json()).domain).toBe('xn--bcher-kva.example');
  });

  it.each([['*.toot.example'], ['toot.example/path'], ['toot.example:443'], ['toot'], ['toot example'], ['-toot.example']])(
    'refuses the domain %j with a 400 saying why',
    async (domain) => {
      const { request, controlPlane } = await withService();
      const details = await problem(await request('POST', '/v1/services/toot/domains', { domain, role: 'main' }), 400, 'invalid_input');
      expect(details.detail).toContain('is not a valid domain name');
      expect(controlPlane.domains.size).toBe(0);
    },
  );

  it('refuses an unknown role and unknown fields', async () => {
    const { request } = await withService();
    await problem(await request('POST', '/v1/services/toot/domains', { domain: 'toot.example', role: 'media' }), 400, 'invalid_input');
    await problem(await request('POST', '/v1/services/toot/domains', { domain: 'toot.example', role: 'main', force: true }), 400, 'invalid_input');
  });

  it('answers 404 for a domain on an unknown service or an unknown domain', async () => {
    const { request } = await withService();
    await problem(await request('POST', '/v1/services/nope/domains', { domain: 'toot.example', role: 'main' }), 404, 'not_found');
    await problem(await request('GET', '/v1/services/toot/domains/other.example'), 404, 'not_found');
  });

  it('lists, shows, retries, switches caching and cancels', async () => {
    const { request } = await withService();
    await request('POST', '/v1/services/toot/domains', { domain: 'toot.example', role: 'main' });
    await request('POST', '/v1/services/toot/domains', { domain: 'files.toot.example', role: 'static' });

    const listed = (await (await request('GET', '/v1/services/toot/domains')).json()) as { items: Record<string, unknown>[] };
    expect(listed.items.every((item) => !('history' in item))).toBe(true);
    const list = DomainPage.parse(listed);
    expect(list.items.map((item) => item.domain)).toEqual(['files.toot.example', 'toot.example']);
    expect(list.next).toBeNull();

    const retried = await request('POST', '/v1/services/toot/domains/toot.example/retry');
    expect(retried.status).toBe(202);
    expect(DomainRecord.parse(await retried.json()).domain).toBe('toot.example');

    const cachingOn = await request('PUT', '/v1/services/toot/domains/toot.example/caching', { enabled: true });
    expect(cachingOn.status).toBe(200);
    expect(DomainRecord.parse(await cachingOn.json()).caching).toBe(true);
    await problem(await request('PUT', '/v1/services/toot/domains/toot.example/caching', { enabled: 'yes' }), 400, 'invalid_input');

    const removed = await request('DELETE', '/v1/services/toot/domains/toot.example');
    expect(removed.status).toBe(200);
    expect(DomainRecord.parse(await removed.json()).state).toBe('cancelled');

    const service = ServiceRecord.parse(await (await request('GET', '/v1/services/toot')).json());
    expect(service.domains).toEqual(
      expect.arrayContaining([
        { domain: 'toot.example', role: 'main', state: 'cancelled' },
        { domain: 'files.toot.example', role: 'static', state: 'queued' },
      ]),
    );
  });
});

describe('the domain list', () => {
  it('answers a page of at most `limit` domains by name and a cursor to the next', async () => {
    const { request } = await withService();
    for (const domain of ['c.example', 'a.example', 'b.example']) await request('POST', '/v1/services/toot/domains', { domain, role: 'main' });

    const first = DomainPage.parse(await (await request('GET', '/v1/services/toot/domains?limit=2')).json());
    expect(first.items.map((item) => item.domain)).toEqual(['a.example', 'b.example']);
    expect(first.next).toBe('b.example');
    const second = await request('GET', `/v1/services/toot/domains?limit=2&after=${first.next}`);
    expect(second.status).toBe(200);
    expect(DomainPage.parse(await second.json())).toMatchObject({ items: [{ domain: 'c.example' }], next: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=2.5', 'limit'],
    ['after=', 'after'],
  ])('refuses %s with a 400 naming the parameter', async (query, parameter) => {
    const { request } = await withService();
    const details = await problem(await request('GET', `/v1/services/toot/domains?${query}`), 400, 'invalid_input');
    expect(details.issues?.map((issue) => issue.path)).toEqual([parameter]);
  });
});

describe('purge', () => {
  it.each([
    [{ all: true }, 'all'],
    [{ key: 'media' }, 'key media'],
    [{ keys: ['media', 'static'] }, 'keys media,static'],
    [{ url: 'https://toot.example/packs/app.js' }, 'url https://toot.example/packs/app.js'],
  ])('purges %j', async (body, purged) => {
    const { request, controlPlane } = await withService();
    const response = await request('POST', '/v1/services/toot/purge', body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ purged, fastlyIds: ['purge-1'] });
    expect(controlPlane.purges).toEqual([{ service: 'toot', input: body }]);
  });

  it.each([[{}], [{ all: false }], [{ all: true, key: 'media' }], [{ url: 'not a url' }], [{ keys: [] }]])('refuses %j', async (body) => {
    const { request, controlPlane } = await withService();
    await problem(await request('POST', '/v1/services/toot/purge', body), 400, 'invalid_input');
    expect(controlPlane.purges).toEqual([]);
  });
});

describe('unknown routes', () => {
  it('answers a 404 problem', async () => {
    const { request } = apiHarness();
    await problem(await request('GET', '/v2/services'), 404, 'not_found');
    await problem(await request('PATCH', '/v1/services/toot'), 404, 'not_found');
  });
});
