import { describe, expect, it } from 'vitest';
import { createEdgeApp } from '../edge/app';
import { EdgeCache } from '../edge/local/cache';
import { fixedConfigReader } from '../edge/local/config-source';
import { createLocalPlatform } from '../edge/local/platform';
import { ManualClock } from '../src/clock';
import { siteWithHosts } from '../src/site-config';

// Replays clients against the edge app on its local platform, in front of an origin that answers
// with the headers Mastodon's own controllers send for these endpoints (each cited below). The
// edge must give every client what Mastodon would have given it, and still take load off.

const ANON_API = 'max-age=15, public, stale-while-revalidate=30, stale-if-error=86400'; // Api::CachingConcern#cache_if_unauthenticated!
const EVEN_IF_AUTH = 'max-age=300, public, stale-while-revalidate=30, stale-if-error=86400'; // Api::CachingConcern#cache_even_if_authenticated!
const DEFAULT_PRIVATE = 'private, no-store'; // ApplicationController#set_cache_control_defaults

type Answer = { status?: number; headers: Record<string, string>; body: string };

/** What Mastodon answers, by path and by who asks (show_domain_blocks = 'users'). */
function mastodon(request: Request): Answer {
  const url = new URL(request.url);
  const user = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? null;
  const accept = request.headers.get('accept') ?? '';
  const language = request.headers.get('accept-language') ?? 'en';
  switch (url.pathname) {
    case '/api/v1/instance/domain_blocks':
      // instances/domain_blocks_controller.rb: head 404 unless shown to users and signed in.
      if (!user) return { status: 404, headers: { 'cache-control': DEFAULT_PRIVATE, vary: 'Authorization' }, body: '' };
      return {
        headers: { 'cache-control': DEFAULT_PRIVATE, vary: 'Authorization', 'content-type': 'application/json' },
        body: `[{"domain":"bad.example","for":"${user}"}]`,
      };
    case '/api/v1/custom_emojis':
      // custom_emojis_controller.rb: vary_by '' and cache_even_if_authenticated!
      return { headers: { 'cache-control': EVEN_IF_AUTH, 'content-type': 'application/json' }, body: '[{"shortcode":"blobcat"}]' };
    case '/api/v1/timelines/public':
      // timelines/public_controller.rb: cache_if_unauthenticated!; Api::BaseController vary_by 'Authorization'.
      if (user)
        return { headers: { 'cache-control': DEFAULT_PRIVATE, vary: 'Authorization', 'content-type': 'application/json' }, body: `[{"for":"${user}"}]` };
      return { headers: { 'cache-control': ANON_API, vary: 'Authorization', 'content-type': 'application/json' }, body: '[{"for":"anyone"}]' };
    case '/.well-known/host-meta':
      // well_known/host_meta_controller.rb: format.json / format.any; Rails adds Vary: Accept only for a non-browser Accept.
      if (/json/.test(accept))
        return { headers: { 'cache-control': 'max-age=259200, public', vary: 'Accept', 'content-type': 'application/json' }, body: '{"links":[]}' };
      return { headers: { 'cache-control': 'max-age=259200, public', 'content-type': 'application/xrd+xml' }, body: '<XRD/>' };
    case '/about':
      // Localized pages: Vary: Accept, Accept-Language, Cookie.
      return {
        headers: { 'cache-control': 'max-age=180, public', vary: 'Accept, Accept-Language, Cookie', 'content-type': 'text/html' },
        body: `<html lang="${language}">about</html>`,
      };
    case '/users/alice':
      // accounts_controller.rb: JSON ignores the locale; HTML is localised.
      if (/json/.test(accept))
        return {
          headers: { 'cache-control': 'max-age=180, public', vary: 'Accept, Accept-Encoding, Origin', 'content-type': 'application/activity+json' },
          body: '{"type":"Person"}',
        };
      return {
        headers: { 'cache-control': 'max-age=180, public', vary: 'Accept, Accept-Language, Cookie', 'content-type': 'text/html' },
        body: `<html lang="${language}">alice</html>`,
      };
    case '/tags/fediverse':
      // tags_controller.rb: format.rss.
      if (/rss/.test(accept))
        return {
          headers: { 'cache-control': 'max-age=180, public', vary: 'Accept, Accept-Language, Cookie', 'content-type': 'application/rss+xml' },
          body: '<rss/>',
        };
      return {
        headers: { 'cache-control': 'max-age=180, public', vary: 'Accept, Accept-Language, Cookie', 'content-type': 'text/html' },
        body: '<html>tag</html>',
      };
    case '/custom.css':
      // custom_css_controller.rb: ActionController::Base, expires_in 3.minutes, public: true; no session.
      return { headers: { 'cache-control': 'max-age=180, public', 'content-type': 'text/css' }, body: 'body{}' };
    case '/media_attachments/files/1/original/a.png':
      return { headers: { 'content-type': 'image/png' }, body: 'png' };
    default:
      return { status: 404, headers: { 'cache-control': DEFAULT_PRIVATE }, body: '' };
  }
}

function replay() {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const asked: { path: string; headers: Headers }[] = [];
  const site = siteWithHosts({ main: ['toot.example'], static: ['files.toot.example'] });
  const platform = createLocalPlatform({
    cache: new EdgeCache({ clock }),
    readConfig: fixedConfigReader(site, true),
    fetchOrigin: async (_origin, request) => {
      const url = new URL(request.url);
      asked.push({ path: `${url.pathname}${url.search}`, headers: request.headers });
      const answer = mastodon(request);
      return new Response(answer.body, { status: answer.status ?? 200, headers: answer.headers });
    },
  });
  const app = createEdgeApp(platform);
  async function get(url: string, headers: Record<string, string> = {}) {
    const response = await app.request(url, { headers });
    return { status: response.status, cache: response.headers.get('x-cache'), type: response.headers.get('content-type'), body: await response.text() };
  }
  const originCalls = (path: string) => asked.filter((entry) => entry.path === path).length;
  return { get, originCalls, clock, asked };
}

const MAIN = 'https://toot.example';
const ALICE = { authorization: 'Bearer alice' };

describe('replay against Mastodon headers', () => {
  it("rule 1: a signed-in user sees the blocks shown to users; visitors get the 404; nobody sees another's answer", async () => {
    const { get } = replay();
    expect((await get(`${MAIN}/api/v1/instance/domain_blocks`)).status).toBe(404);
    const alice = await get(`${MAIN}/api/v1/instance/domain_blocks`, ALICE);
    expect([alice.status, alice.body]).toEqual([200, '[{"domain":"bad.example","for":"alice"}]']);
    const bob = await get(`${MAIN}/api/v1/instance/domain_blocks`, { authorization: 'Bearer bob' });
    expect(bob.body).toContain('"for":"bob"');
    expect((await get(`${MAIN}/api/v1/instance/domain_blocks`)).status).toBe(404);
  });

  it('rule 1: custom emojis are shared between visitors and signed-in users', async () => {
    const { get, originCalls } = replay();
    expect((await get(`${MAIN}/api/v1/custom_emojis`)).cache).toBe('MISS');
    expect(await get(`${MAIN}/api/v1/custom_emojis`, ALICE)).toMatchObject({ cache: 'HIT', body: '[{"shortcode":"blobcat"}]' });
    expect(originCalls('/api/v1/custom_emojis')).toBe(1);
  });

  it('rule 2: anonymous timeline reads are stored for 15 s; signed-in ones pass and never leak', async () => {
    const { get, originCalls, clock } = replay();
    await get(`${MAIN}/api/v1/timelines/public`);
    expect(await get(`${MAIN}/api/v1/timelines/public`)).toMatchObject({ cache: 'HIT', body: '[{"for":"anyone"}]' });
    expect(await get(`${MAIN}/api/v1/timelines/public`, ALICE)).toMatchObject({ cache: 'PASS', body: '[{"for":"alice"}]' });
    expect((await get(`${MAIN}/api/v1/timelines/public`)).body).toBe('[{"for":"anyone"}]');
    expect(originCalls('/api/v1/timelines/public')).toBe(2);
    clock.advance(16_000);
    expect((await get(`${MAIN}/api/v1/timelines/public`)).cache).toBe('STALE');
  });

  it('rule 3: the JSON host-meta client gets JSON after an XML client filled the cache', async () => {
    const { get, originCalls } = replay();
    expect((await get(`${MAIN}/.well-known/host-meta`)).type).toBe('application/xrd+xml');
    expect((await get(`${MAIN}/.well-known/host-meta`, { accept: 'application/json' })).type).toBe('application/json');
    expect(await get(`${MAIN}/.well-known/host-meta`, { accept: 'application/json' })).toMatchObject({ cache: 'HIT', type: 'application/json' });
    expect(await get(`${MAIN}/.well-known/host-meta`, { accept: '*/*' })).toMatchObject({ cache: 'HIT', type: 'application/xrd+xml' });
    expect(originCalls('/.well-known/host-meta')).toBe(2);
  });

  it('rule 4: one stored page per locale, however browsers spell it; one ActivityPub document for all', async () => {
    const { get, originCalls } = replay();
    const german = ['de-DE,de;q=0.9,en;q=0.8', 'de', 'de-AT', 'de-CH,de;q=0.9'];
    for (const language of german) expect((await get(`${MAIN}/about`, { 'accept-language': language })).body).toBe('<html lang="de">about</html>');
    expect((await get(`${MAIN}/about`, { 'accept-language': 'ja-JP' })).body).toBe('<html lang="ja">about</html>');
    expect(originCalls('/about')).toBe(2);
    for (const language of ['en', ...german, 'ja']) {
      expect((await get(`${MAIN}/users/alice`, { accept: 'application/activity+json', 'accept-language': language })).body).toBe('{"type":"Person"}');
    }
    expect(originCalls('/users/alice')).toBe(1);
  });

  it('rule 4: signed fetches keep the Accept they signed, and every server software shares one stored document', async () => {
    const { get, originCalls, asked } = replay();
    const signature = 'keyId="https://remote.example/actor#main-key",headers="(request-target) host date accept",signature="c2ln"';
    const accepts = [
      'application/activity+json, application/ld+json', // Mastodon
      'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"', // Misskey
      'application/activity+json', // Pleroma
    ];
    for (const accept of accepts) expect((await get(`${MAIN}/users/alice`, { accept, signature })).body).toBe('{"type":"Person"}');
    expect(asked[0]!.headers.get('accept')).toBe(accepts[0]);
    expect((await get(`${MAIN}/users/alice`, { accept: 'application/ld+json' })).cache).toBe('HIT');
    expect(originCalls('/users/alice')).toBe(1);
    expect((await get(`${MAIN}/users/alice`, { accept: 'text/html' })).body).toBe('<html lang="en">alice</html>');
  });

  it('rule 5: an RSS reader gets RSS, a JSON alias gets ActivityPub', async () => {
    const { get } = replay();
    await get(`${MAIN}/tags/fediverse`, { accept: 'text/html' });
    expect((await get(`${MAIN}/tags/fediverse`, { accept: 'application/rss+xml' })).type).toBe('application/rss+xml');
    expect((await get(`${MAIN}/users/alice`, { accept: 'text/x-json' })).type).toBe('application/activity+json');
  });

  it('rule 6: cache-busting queries on the files domain hit one object', async () => {
    const { get, originCalls } = replay();
    for (const query of ['', '?1700000000', '?v=2']) await get(`https://files.toot.example/media_attachments/files/1/original/a.png${query}`);
    expect(originCalls('/media_attachments/files/1/original/a.png')).toBe(1);
  });

  it('rule 7: custom.css stored for visitors answers signed-in users too', async () => {
    const { get, originCalls } = replay();
    await get(`${MAIN}/custom.css`);
    expect((await get(`${MAIN}/custom.css`, { cookie: '_session_id=alice' })).cache).toBe('HIT');
    expect(originCalls('/custom.css')).toBe(1);
  });
});
