import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { siteWithHosts } from '../../src/site-config';
import { createEdgeApp } from '../app';
import type { Origin } from '../policy';
import { EdgeCache } from './cache';
import { fixedConfigReader } from './config-source';
import { createLocalPlatform } from './platform';

// The app and the local platform in-process, the way replays use them: an origin function,
// a manual clock, no network.

type Answer = (request: Request) => Response | Promise<Response>;

function localEdge(answer: Answer, maxBytes?: number) {
  const clock = new ManualClock();
  const cache = new EdgeCache({ clock, maxBytes });
  const asked: { origin: Origin; method: string; url: string; range: string | null }[] = [];
  const site = siteWithHosts({ main: ['toot.example'], static: ['files.toot.example'] });
  const platform = createLocalPlatform({
    cache,
    readConfig: fixedConfigReader(site, true),
    fetchOrigin: async (origin, request) => {
      asked.push({ origin, method: request.method, url: request.url, range: request.headers.get('range') });
      return answer(request);
    },
  });
  const app = createEdgeApp(platform);
  const get = async (url: string, headers: Record<string, string> = {}, method = 'GET') => {
    const response = await app.request(url, { method, headers });
    return { status: response.status, cache: response.headers.get('x-cache'), headers: response.headers, body: await response.text() };
  };
  return { clock, cache, asked, platform, get };
}

let counter = 0;
const numbered =
  (headers: Record<string, string>, status = 200) =>
  () =>
    new Response(`#${++counter}`, { status, headers });

describe('local platform', () => {
  it('serves fresh objects, then asks again once they expire', async () => {
    const edge = localEdge(numbered({ 'cache-control': 'max-age=60' }));
    const first = await edge.get('https://toot.example/about');
    expect((await edge.get('https://toot.example/about')).body).toBe(first.body);
    edge.clock.advance(59_000);
    expect((await edge.get('https://toot.example/about')).cache).toBe('HIT');
    edge.clock.advance(2_000);
    const later = await edge.get('https://toot.example/about');
    expect([later.cache, later.body === first.body]).toEqual(['MISS', false]);
    expect(edge.asked).toHaveLength(2);
  });

  it('uses the 2-minute default only where the table gives no TTL of its own', async () => {
    const edge = localEdge(numbered({}));
    await edge.get('https://toot.example/about');
    await edge.get('https://toot.example/about');
    expect(edge.asked).toHaveLength(2);
    await edge.get('https://toot.example/emoji/a.png');
    edge.clock.advance(3_599_000);
    expect((await edge.get('https://toot.example/emoji/a.png')).cache).toBe('HIT');
  });

  it('serves stale while revalidating in the background', async () => {
    const edge = localEdge(numbered({ 'cache-control': 'max-age=10, stale-while-revalidate=60' }));
    const first = await edge.get('https://toot.example/about');
    edge.clock.advance(20_000);
    const stale = await edge.get('https://toot.example/about');
    expect([stale.cache, stale.body]).toEqual(['STALE', first.body]);
    await edge.platform.settled();
    const refreshed = await edge.get('https://toot.example/about');
    expect(refreshed.cache).toBe('HIT');
    expect(refreshed.body).not.toBe(first.body);
  });

  it('lets a stored object stand in when the origin fails, and shows the 503 page when none can', async () => {
    let down = false;
    const edge = localEdge(() => {
      if (down) throw new TypeError('connect ECONNREFUSED');
      return new Response('kept', { headers: { 'cache-control': 'max-age=10' } });
    });
    await edge.get('https://toot.example/about');
    edge.clock.advance(60_000);
    down = true;
    const stale = await edge.get('https://toot.example/about');
    expect([stale.status, stale.cache, stale.body]).toEqual([200, 'STALE', 'kept']);
    const nothing = await edge.get('https://toot.example/never-seen');
    expect([nothing.status, nothing.cache]).toEqual([503, 'ERROR']);
  });

  it('lets a stored object stand in for an origin 5xx', async () => {
    let status = 200;
    const edge = localEdge(() => new Response(status === 200 ? 'good' : 'broken', { status, headers: { 'cache-control': 'max-age=10' } }));
    await edge.get('https://toot.example/about');
    edge.clock.advance(60_000);
    status = 503;
    expect((await edge.get('https://toot.example/about')).body).toBe('good');
  });

  it('honours Vary beyond the key', async () => {
    const edge = localEdge(
      (request) => new Response(`lang=${request.headers.get('accept-language')}`, { headers: { 'cache-control': 'max-age=60', vary: 'Accept-Language' } }),
    );
    expect((await edge.get('https://toot.example/about', { 'accept-language': 'de' })).body).toBe('lang=de');
    expect((await edge.get('https://toot.example/about', { 'accept-language': 'fr' })).body).toBe('lang=fr');
    expect((await edge.get('https://toot.example/about', { 'accept-language': 'fr' })).cache).toBe('HIT');
    // Both variants stay stored under the one key.
    const german = await edge.get('https://toot.example/about', { 'accept-language': 'de' });
    expect([german.cache, german.body]).toEqual(['HIT', 'lang=de']);
    expect(edge.asked).toHaveLength(2);
  });

  it('answers ranges and HEAD from a stored file, and passes ranges on a miss', async () => {
    const edge = localEdge(() => new Response('0123456789', { headers: { 'content-type': 'video/mp4' } }));
    const partialMiss = await edge.get('https://files.toot.example/v.mp4', { range: 'bytes=0-3' });
    expect(edge.asked.at(-1)!.range).toBe('bytes=0-3');
    expect(partialMiss.cache).toBe('MISS');
    await edge.get('https://files.toot.example/v.mp4');
    const partial = await edge.get('https://files.toot.example/v.mp4', { range: 'bytes=2-5' });
    expect([partial.status, partial.body, partial.headers.get('content-range')]).toEqual([206, '2345', 'bytes 2-5/10']);
    expect((await edge.get('https://files.toot.example/v.mp4', { range: 'bytes=-3' })).body).toBe('789');
    expect((await edge.get('https://files.toot.example/v.mp4', { range: 'bytes=20-' })).status).toBe(416);
    const head = await edge.get('https://files.toot.example/v.mp4', {}, 'HEAD');
    expect([head.status, head.cache, head.body]).toEqual([200, 'HIT', '']);
    expect(edge.asked).toHaveLength(2);
  });

  it('never stores what the policy refuses', async () => {
    const edge = localEdge(numbered({ 'cache-control': 'public, max-age=60', 'set-cookie': 'a=b' }));
    await edge.get('https://toot.example/about');
    await edge.get('https://toot.example/about');
    expect(edge.cache.size).toBe(0);
    expect(edge.asked).toHaveLength(2);
  });

  it('streams a cacheable answer to the client while storing it, and stores it once complete', async () => {
    let push!: (text: string) => void;
    let end!: () => void;
    const edge = localEdge(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              push = (text) => controller.enqueue(new TextEncoder().encode(text));
              end = () => controller.close();
            },
          }),
          { headers: { 'cache-control': 'max-age=60' } },
        ),
    );
    const response = await edge.platform.fetchOrigin({
      origin: 'main',
      backend: 'main_origin',
      request: new Request('https://toot.example/about'),
      cache: {
        mode: 'cache',
        key: 'k',
        decideStorage: () => ({
          store: true,
          ttl: 60,
          swr: 0,
          sie: 0,
          surrogateKeys: [],
          vary: [],
          clientHeaders: { set: {}, remove: [], removePrefixes: [] },
          reason: '',
        }),
      },
    });
    const reader = response.response.body!.getReader();
    push('first ');
    // The first bytes reach the client while the origin is still sending.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first ');
    expect(edge.cache.size).toBe(0);
    push('second');
    end();
    while (!(await reader.read()).done);
    expect(new TextDecoder().decode(edge.cache.lookup('k', new Headers())!.object.body)).toBe('first second');
  });

  it('never holds an object bigger than the cache allows, with or without Content-Length', async () => {
    const big = 'x'.repeat(300);
    for (const headers of [{ 'cache-control': 'max-age=60' }, { 'cache-control': 'max-age=60', 'content-length': String(big.length) }] as Record<
      string,
      string
    >[]) {
      const edge = localEdge(() => new Response(big, { headers }), 1_000);
      expect(edge.cache.maxObjectBytes).toBe(250);
      expect((await edge.get('https://toot.example/about')).body).toBe(big);
      expect((await edge.get('https://toot.example/about')).cache).toBe('MISS');
      expect([edge.asked.length, edge.cache.totalBytes]).toEqual([2, 0]);
    }
    const edge = localEdge(() => new Response('x'.repeat(200), { headers: { 'cache-control': 'max-age=60' } }), 1_000);
    await edge.get('https://toot.example/about');
    expect((await edge.get('https://toot.example/about')).cache).toBe('HIT');
  });
});
