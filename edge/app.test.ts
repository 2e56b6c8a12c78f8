import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { siteWithHosts } from '../src/site-config';
import { createEdgeApp, DECISION_HEADER, debugKey } from './app';
import type { EdgeLogEntry, EdgePlatform, OriginRequest, OriginResult } from './platform';

const SITE = JSON.stringify(siteWithHosts({ main: ['toot.example'], redirect: ['www.toot.example'], static: ['files.toot.example'] }));

type OriginAnswer = (request: OriginRequest) => OriginResult | Promise<OriginResult>;

// A fake platform: config from a map, origin answers from a function, every call recorded.
function fakePlatform(answer: OriginAnswer, config: Record<string, string> = { site: SITE, 'caching:toot.example': 'on', 'caching:files.toot.example': 'on' }) {
  const clock = new ManualClock();
  const calls: OriginRequest[] = [];
  const logs: EdgeLogEntry[] = [];
  const handoffs: { origin: string; backend: string; url: string; headers: Headers }[] = [];
  const platform: EdgePlatform = {
    async fetchOrigin(request) {
      calls.push(request);
      return answer(request);
    },
    async readConfig(key) {
      return config[key] ?? null;
    },
    async handoffWebsocket(request, headers, origin, backend) {
      handoffs.push({ origin, backend, url: request.url, headers });
      return new Response('handed off', { status: 200 });
    },
    clientAddress: () => '203.0.113.7',
    log: (entry) => logs.push(entry),
    now: () => clock.now(),
  };
  return { app: createEdgeApp(platform), calls, logs, handoffs };
}

const fresh = (body: string, headers: Record<string, string> = {}, status = 200): OriginResult => ({
  response: new Response(body, { status, headers }),
  cached: false,
  stale: false,
});

describe('edge app', () => {
  it('refuses unknown hosts without asking any origin', async () => {
    const { app, calls } = fakePlatform(() => fresh('x'));
    const response = await app.request('https://evil.example/anything');
    expect(response.status).toBe(421);
    expect(calls).toHaveLength(0);
  });

  it('refuses everything when the site config is missing or invalid', async () => {
    for (const site of [undefined, '{not json', JSON.stringify({ hosts: { 'toot.example': { role: 'primary' } }, canonicalHost: null })]) {
      const { app, calls } = fakePlatform(() => fresh('x'), site === undefined ? {} : { site });
      expect((await app.request('https://toot.example/about')).status).toBe(421);
      expect(calls).toHaveLength(0);
    }
  });

  it('answers 503 when the config store cannot be read', async () => {
    const { app } = fakePlatform(() => fresh('x'));
    const broken = createEdgeApp({
      fetchOrigin: async () => fresh('x'),
      readConfig: async () => {
        throw new Error('store down');
      },
      handoffWebsocket: async () => new Response(null),
      clientAddress: () => null,
      log: () => {},
      now: () => 0,
    });
    expect((await broken.request('https://toot.example/about')).status).toBe(503);
    expect((await app.request('https://toot.example/about')).status).not.toBe(503);
  });

  it('redirects plain HTTP and www with HSTS', async () => {
    const { app } = fakePlatform(() => fresh('x'));
    const plain = await app.request('http://toot.example/@alice');
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toBe('https://toot.example/@alice');
    const www = await app.request('https://www.toot.example/about');
    expect(www.headers.get('location')).toBe('https://toot.example/about');
    expect(www.headers.get('strict-transport-security')).toMatch(/max-age/);
  });

  it('caches through the platform with the policy key and a storage step', async () => {
    const { app, calls } = fakePlatform(() => fresh('{}', { 'content-type': 'application/activity+json', 'cache-control': 'public, max-age=180' }));
    const response = await app.request('https://toot.example/users/alice', { headers: { accept: 'application/ld+json' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('MISS');
    const call = calls[0]!;
    expect(call).toMatchObject({ origin: 'main', backend: 'main_origin' });
    expect(call.cache.mode).toBe('cache');
    if (call.cache.mode !== 'cache') throw new Error('expected a cached fetch');
    expect(call.cache.key).toBe('toot.example/users/alice#accept=activitypub');
    expect(call.request.headers.get('accept')).toBe('application/activity+json');
    expect(call.request.headers.get('host')).toBe('toot.example');
    expect(call.request.headers.get('x-forwarded-proto')).toBe('https');
    expect(call.request.headers.get('x-forwarded-for')).toBe('203.0.113.7');
    expect(call.cache.decideStorage(new Response('', { headers: { 'cache-control': 'private' } })).store).toBe(false);
    expect(call.cache.decideStorage(new Response('', { headers: { 'cache-control': 'max-age=60' } })).store).toBe(true);
  });

  it('says nothing of its decision unless the debug switch of the host is on', async () => {
    const answer = () => fresh('x', { 'cache-control': 'public, max-age=600' });
    const quiet = fakePlatform(answer);
    const redirect = await quiet.app.request('http://toot.example/about');
    const refused = await quiet.app.request('https://evil.example/about');
    const page = await quiet.app.request('https://toot.example/about');
    // The edge's own answers carry no X-Cache; none carries the decision.
    expect([redirect.headers.get('x-cache'), refused.headers.get('x-cache'), page.headers.get('x-cache')]).toEqual([null, null, 'MISS']);
    expect([redirect, refused, page].map((response) => response.headers.get(DECISION_HEADER))).toEqual([null, null, null]);

    const loud = fakePlatform(answer, { site: SITE, 'caching:toot.example': 'on', [debugKey('toot.example')]: 'on' });
    expect((await loud.app.request('http://toot.example/about')).headers.get(DECISION_HEADER)).toBe('redirect force_tls none; plain HTTP redirects to HTTPS');
    expect((await loud.app.request('https://toot.example/about')).headers.get(DECISION_HEADER)).toBe(
      'cache page miss; page: per origin headers; stored for 600s (max-age)',
    );
  });

  it('passes when the switch is off', async () => {
    const { app, calls } = fakePlatform(() => fresh('x', { 'cache-control': 'public, max-age=600' }), { site: SITE, 'caching:toot.example': 'off' });
    const response = await app.request('https://toot.example/packs/app.js');
    expect(response.headers.get('x-cache')).toBe('PASS');
    expect(calls[0]!.cache.mode).toBe('pass');
    const absent = fakePlatform(() => fresh('x'), { site: SITE });
    await absent.app.request('https://toot.example/packs/app.js');
    expect(absent.calls[0]!.cache.mode).toBe('pass');
  });

  it('passes POSTs with their body, Signature and Digest untouched', async () => {
    const { app, calls } = fakePlatform(async (request) => fresh(await request.request.text(), {}, 202));
    const body = JSON.stringify({ type: 'Create' });
    const headers = {
      signature: 'keyId="k",signature="s"',
      digest: 'SHA-256=abc',
      date: 'Thu, 01 Jan 2026 00:00:00 GMT',
      'content-type': 'application/activity+json',
    };
    const response = await app.request('https://toot.example/inbox', { method: 'POST', body, headers });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe(body);
    const forwarded = calls[0]!.request;
    expect(calls[0]!.cache.mode).toBe('pass');
    for (const [name, value] of Object.entries(headers)) expect(forwarded.headers.get(name)).toBe(value);
  });

  it('strips credentials toward the files origin and fixes the response headers', async () => {
    const { app, calls } = fakePlatform(() =>
      fresh('png', { 'set-cookie': 'tracker=1', 'x-amz-request-id': 'r', 'x-amz-meta-owner': 'o', 'content-type': 'image/png' }),
    );
    const response = await app.request('https://files.toot.example/media/a.png', {
      headers: { authorization: 'Bearer t', cookie: '_session_id=s', range: 'bytes=0-1' },
    });
    const forwarded = calls[0]!.request;
    expect(forwarded.headers.get('authorization')).toBeNull();
    expect(forwarded.headers.get('cookie')).toBeNull();
    expect(forwarded.headers.get('range')).toBe('bytes=0-1');
    expect(calls[0]!.backend).toBe('static_origin');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('x-amz-request-id')).toBeNull();
    expect(response.headers.get('x-amz-meta-owner')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; form-action 'none'");
  });

  it('does not answer a signed request from a stored response that is not public', async () => {
    let asked = 0;
    const { app, calls } = fakePlatform(() => {
      asked += 1;
      return asked === 1
        ? { response: new Response('stored', { headers: { 'cache-control': 'max-age=180' } }), cached: true, stale: false }
        : fresh('from origin', { 'cache-control': 'private', vary: 'Signature' });
    });
    const response = await app.request('https://toot.example/users/alice', { headers: { accept: 'application/activity+json', signature: 'keyId="k"' } });
    expect(await response.text()).toBe('from origin');
    expect(calls.map((call) => call.cache.mode)).toEqual(['cache', 'pass']);
  });

  it('answers a signed request from a stored public response', async () => {
    const { app, calls } = fakePlatform(() => ({
      response: new Response('stored', { headers: { 'cache-control': 'public, max-age=180' } }),
      cached: true,
      stale: false,
    }));
    const response = await app.request('https://toot.example/users/alice', { headers: { accept: 'application/activity+json', signature: 'keyId="k"' } });
    expect(await response.text()).toBe('stored');
    expect(response.headers.get('x-cache')).toBe('HIT');
    expect(calls).toHaveLength(1);
  });

  it('shows a friendly 503 page when the origin is down and nothing can stand in', async () => {
    const unreachable = fakePlatform(() => {
      throw new TypeError('fetch failed');
    });
    const down = await unreachable.app.request('https://toot.example/about');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('30');
    expect(await down.text()).toMatch(/try again/);
    const failing = fakePlatform(() => fresh('bad gateway', {}, 502));
    expect((await failing.app.request('https://toot.example/about')).status).toBe(503);
    const appError = fakePlatform(() => fresh('app error', {}, 500));
    expect((await appError.app.request('https://toot.example/about')).status).toBe(500);
  });

  it('serves the stale object the platform found when the origin is down', async () => {
    const { app } = fakePlatform(() => ({ response: new Response('yesterday', { status: 200 }), cached: true, stale: true }));
    const response = await app.request('https://toot.example/about');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('STALE');
    expect(await response.text()).toBe('yesterday');
  });

  it('hands WebSocket upgrades off to the main backend', async () => {
    const { app, calls, handoffs } = fakePlatform(() => fresh('x'));
    const response = await app.request('https://toot.example/api/v1/streaming', { headers: { upgrade: 'websocket' } });
    // The platform's handoff response goes out as it is: wrapping it would break the handoff.
    expect(await response.text()).toBe('handed off');
    expect(response.headers.get('x-cache')).toBeNull();
    handoffs.length = 0;
    await app.request('https://toot.example/api/v1/streaming?stream=user&access_token=secret', {
      headers: { upgrade: 'websocket', connection: 'Upgrade', 'x-forwarded-for': '198.51.100.1', 'x-forwarded-host': 'evil.example' },
    });
    expect(handoffs).toMatchObject([{ origin: 'main', backend: 'main_origin', url: 'https://toot.example/api/v1/streaming?stream=user&access_token=secret' }]);
    // The origin learns the client's address appended, keeps the handshake, never the unkeyed headers.
    const forwarded = Object.fromEntries(handoffs[0]!.headers);
    expect(forwarded).toMatchObject({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7', upgrade: 'websocket', connection: 'Upgrade', host: 'toot.example' });
    expect(forwarded['x-forwarded-host']).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('streams server-sent events without buffering them', async () => {
    let push!: (text: string) => void;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => controller.enqueue(new TextEncoder().encode(text));
      },
    });
    const { app, calls } = fakePlatform(() => ({
      response: new Response(stream, { headers: { 'content-type': 'text/event-stream' } }),
      cached: false,
      stale: false,
    }));
    const response = await app.request('https://toot.example/api/v1/streaming/public');
    expect(calls[0]!.cache.mode).toBe('pass');
    const reader = response.body!.getReader();
    push('event: update\n\n');
    // The first event arrives while the origin stream is still open.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('event: update\n\n');
    await reader.cancel();
  });

  it('turns a failure inside the edge into the friendly page and a log line, not a bare 500', async () => {
    const { app, logs } = fakePlatform(() => {
      // Not a network failure: a response the platform cannot even build.
      return { response: undefined as unknown as Response, cached: false, stale: false };
    });
    const response = await app.request('https://toot.example/about?access_token=s3cr3t');
    expect(response.status).toBe(503);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ route: 'edge_error', cache: 'error', path: '/about?access_token=[redacted]' });
  });

  it.each([
    '/oauth/token?code=s3cr3t&client_secret=s3cr3t&grant_type=authorization_code',
    '/api/v1/streaming?refresh_token=s3cr3t;access_token=s3cr3t',
    '/api/v1/streaming?access%5Ftoken=s3cr3t&ACCESS_TOKEN=s3cr3t',
    '/system/a.png?X-Amz-Credential=s3cr3t&X-Amz-Signature=s3cr3t&X-Amz-Security-Token=s3cr3t',
    '/system/a.png?Signature=s3cr3t&Expires=1&X-Goog-Signature=s3cr3t',
  ])('never logs a secret query value: %s', async (path) => {
    const { app, logs } = fakePlatform(() => fresh('x'));
    await app.request(`https://toot.example${path}`);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.path).not.toContain('s3cr3t');
    expect(logs[0]!.path).toContain('=[redacted]');
  });

  it('never logs access_token values', async () => {
    const { app, logs } = fakePlatform(() => fresh('x'));
    await app.request('https://toot.example/api/v1/streaming/user?access_token=s3cr3t&stream=user');
    await app.request('https://toot.example/api/v1/streaming?access_token=s3cr3t', { headers: { upgrade: 'websocket' } });
    expect(logs).toHaveLength(2);
    for (const entry of logs) {
      expect(JSON.stringify(entry)).not.toContain('s3cr3t');
      expect(entry.path).toContain('access_token=[redacted]');
    }
    expect(logs[0]).toMatchObject({ host: 'toot.example', method: 'GET', route: 'streaming', action: 'pass', cache: 'pass', status: 200 });
  });
});
