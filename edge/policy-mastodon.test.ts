import { describe, expect, it } from 'vitest';
import { siteWithHosts } from '../src/site-config';
import { type Decision, decideRequest, decideStorage, mayAnswerCredentialed } from './policy';

// Mastodon's own caching rules, one block per rule of docs/mastodon-edge-policy.md ("Mastodon's
// caching rules"), each citing the Mastodon source whose headers it follows.

const site = siteWithHosts({ main: ['toot.example'], static: ['files.toot.example'] });
const now = Date.parse('2026-01-01T00:00:00Z');
const MAIN = 'https://toot.example';
const FILES = 'https://files.toot.example';

function decide(url: string, headers: Record<string, string> = {}): Decision {
  return decideRequest({ method: 'GET', url, headers: new Headers(headers), clientAddress: '203.0.113.9' }, site, true);
}
const storage = (decision: Decision, headers: Record<string, string>, status = 200) => decideStorage(decision, { status, headers: new Headers(headers) }, now);
const forwarded = (decision: Decision) => {
  const headers = new Headers({ accept: 'x/original', 'accept-language': 'original', authorization: 'Bearer t', cookie: '_session_id=s' });
  for (const name of decision.forward!.headers.remove) headers.delete(name);
  for (const [name, value] of Object.entries(decision.forward!.headers.set)) headers.set(name, value);
  return headers;
};

/** Api::CachingConcern#cache_even_if_authenticated! with Api::V1::Instances::BaseController's `vary_by ''`. */
const EVEN_IF_AUTHENTICATED = { 'cache-control': 'max-age=300, public, stale-while-revalidate=30, stale-if-error=86400' };
/** Api::CachingConcern#cache_if_unauthenticated! under Api::BaseController's `vary_by 'Authorization'`. */
const IF_UNAUTHENTICATED = { 'cache-control': 'max-age=15, public, stale-while-revalidate=30, stale-if-error=86400', vary: 'Authorization' };
/** ApplicationController#set_cache_control_defaults; CacheConcern#enforce_cache_control! for a credentialed request under Vary. */
const PRIVATE = { 'cache-control': 'private, no-store' };

describe('rule 1: credentials are forwarded on the instance allowlist (app/controllers/api/v1/instances/*, custom_emojis_controller.rb)', () => {
  const user = { authorization: 'Bearer alice' };

  it('forwards Authorization and Cookie, so domain_blocks and limited-federation instances answer signed-in users', () => {
    for (const path of ['/api/v1/instance/domain_blocks', '/api/v2/instance', '/api/v1/custom_emojis', '/api/v1/instance/peers']) {
      const decision = decide(`${MAIN}${path}`, { ...user, cookie: '_session_id=s' });
      expect(decision).toMatchObject({ action: 'cache', route: 'instance_api' });
      expect(decision.forward!.headers.remove).not.toContain('authorization');
      expect(decision.forward!.headers.remove).not.toContain('cookie');
      expect(decision.cache!.publicOnly).toEqual(['authorization', 'cookie']);
    }
  });

  it("stores a signed-in user's answer only when it is public and does not vary on the credentials", () => {
    const decision = decide(`${MAIN}/api/v1/custom_emojis`, user);
    expect(storage(decision, EVEN_IF_AUTHENTICATED)).toMatchObject({ store: true, ttl: 300 });
    // show_domain_blocks = 'users': cache_if_unauthenticated! does nothing for a user, the default stays.
    expect(storage(decide(`${MAIN}/api/v1/instance/domain_blocks`, user), PRIVATE).store).toBe(false);
    // vary_by 'Authorization' (the API default) with a credentialed request.
    expect(storage(decision, { 'cache-control': 'public, max-age=300', vary: 'Authorization' }).store).toBe(false);
    expect(storage(decide(`${MAIN}/api/v1/custom_emojis`, { cookie: 'a=b' }), { 'cache-control': 'public, max-age=300', vary: 'Cookie' }).store).toBe(false);
    expect(storage(decision, { ...EVEN_IF_AUTHENTICATED, 'set-cookie': 'x=y' }).store).toBe(false);
  });

  it('answers a signed-in user from the cache only with such a response', () => {
    const carried = decide(`${MAIN}/api/v1/instance`, user).cache!.publicOnly;
    expect(mayAnswerCredentialed(new Headers(EVEN_IF_AUTHENTICATED), carried)).toBe(true);
    expect(mayAnswerCredentialed(new Headers(IF_UNAUTHENTICATED), carried)).toBe(false);
    expect(mayAnswerCredentialed(new Headers({ 'cache-control': 'max-age=300' }), carried)).toBe(false);
    // Anonymous visitors are answered from anything the rules let the edge store.
    expect(decide(`${MAIN}/api/v1/instance`).cache!.publicOnly).toEqual([]);
  });
});

describe('rule 2: anonymous public API reads follow the origin (Api::CachingConcern#cache_if_unauthenticated!)', () => {
  it.each([
    '/api/v1/timelines/public?local=true',
    '/api/v1/timelines/tag/fediverse',
    '/api/v1/timelines/link?url=https%3A%2F%2Fnews.example%2Fa',
    '/api/v1/trends/statuses',
    '/api/v1/directory?local=true',
    '/api/v1/statuses/1',
    '/api/v1/statuses/1/context',
    '/api/v1/accounts/1',
    '/api/v1/polls/1',
  ])('stores %s for 15 s when the origin marks it public', (path) => {
    const decision = decide(`${MAIN}${path}`);
    expect(decision).toMatchObject({ action: 'cache', route: 'public_api', cache: { surrogateKeys: expect.arrayContaining(['api']) } });
    expect(storage(decision, IF_UNAUTHENTICATED)).toMatchObject({ store: true, ttl: 15, swr: 30, sie: 86400 });
  });

  it('stores nothing the rest of the API marks private, no-store', () => {
    expect(storage(decide(`${MAIN}/api/v1/accounts/relationships?id=1`), PRIVATE).store).toBe(false);
  });

  it('passes every API read with credentials, in a header or in the query (Doorkeeper reads access_token)', () => {
    for (const [url, headers] of [
      [`${MAIN}/api/v1/timelines/public`, { authorization: 'Bearer t' }],
      [`${MAIN}/api/v1/timelines/public`, { cookie: '_session_id=s' }],
      [`${MAIN}/api/v1/timelines/public?access_token=t`, {}],
    ] as const) {
      expect(decide(url, headers)).toMatchObject({ action: 'pass', route: 'public_api' });
    }
  });
});

describe('rule 3: host-meta keys on a json/xrd kind (app/controllers/well_known/host_meta_controller.rb)', () => {
  it('gives JSON and XML clients their own copies and asks the origin for exactly that kind', () => {
    const xrd = decide(`${MAIN}/.well-known/host-meta`);
    const json = decide(`${MAIN}/.well-known/host-meta`, { accept: 'application/json' });
    const browser = decide(`${MAIN}/.well-known/host-meta`, { accept: 'text/html,*/*;q=0.8' });
    expect([xrd.cache!.key, json.cache!.key, browser.cache!.key]).toEqual([
      'toot.example/.well-known/host-meta#accept=xrd',
      'toot.example/.well-known/host-meta#accept=json',
      'toot.example/.well-known/host-meta#accept=xrd',
    ]);
    expect(forwarded(json).get('accept')).toBe('application/json');
    // format.any renders XRD for a request without Accept.
    expect(forwarded(browser).get('accept')).toBeNull();
  });
});

describe('rule 4: Accept-Language is normalised for HTML and dropped for ActivityPub (app/controllers/concerns/localized.rb; pages send Vary: Accept, Accept-Language, Cookie)', () => {
  it('sends every HTML request the one locale it renders in, so Vary splits on a few values', () => {
    const languages = ['de-DE,de;q=0.9,en;q=0.8', 'de', 'de-AT, en;q=0.5', 'DE-de'];
    for (const url of [`${MAIN}/about`, `${MAIN}/@alice`, `${MAIN}/tags/fediverse`]) {
      const sent = languages.map((language) => forwarded(decide(url, { 'accept-language': language, accept: 'text/html' })).get('accept-language'));
      expect(new Set(sent)).toEqual(new Set(['de']));
    }
    expect(forwarded(decide(`${MAIN}/about`)).get('accept-language')).toBeNull();
  });

  it('never sends a locale with ActivityPub JSON', () => {
    const decision = decide(`${MAIN}/users/alice`, { accept: 'application/activity+json', 'accept-language': 'ja' });
    expect(forwarded(decision).get('accept-language')).toBeNull();
    expect(decision.cache!.key).toBe('toot.example/users/alice#accept=activitypub');
  });

  it('also normalises it for the anonymous API, whose trends vary on it (trends/links_controller.rb: vary_by Authorization, Accept-Language)', () => {
    expect(forwarded(decide(`${MAIN}/api/v1/trends/links`, { 'accept-language': 'pt-BR,pt;q=0.9' })).get('accept-language')).toBe('pt-BR');
  });
});

describe("rule 5: RSS and JSON aliases get their own representation (Rails' JSON MIME aliases; tags_controller.rb and accounts_controller.rb answer format.rss)", () => {
  it.each([
    ['application/rss+xml', 'rss', 'application/rss+xml'],
    ['application/jrd+json', 'activitypub', 'application/activity+json'],
    ['text/x-json', 'activitypub', 'application/activity+json'],
    ['application/jsonrequest', 'activitypub', 'application/activity+json'],
    ['text/html', 'html', 'text/html'],
  ])('%s on /tags/x is keyed as %s', (accept, kind, sent) => {
    const decision = decide(`${MAIN}/tags/fediverse`, { accept });
    expect(decision.cache!.key).toBe(`toot.example/tags/fediverse#accept=${kind}`);
    expect(forwarded(decision).get('accept')).toBe(sent);
  });
});

describe("rule 6: files-domain queries (Mastodon's Fastly module drops them; presigned URLs stay private)", () => {
  it('leaves the query out of the key and the origin request', () => {
    const decision = decide(`${FILES}/media_attachments/files/1/original/a.png?1700000000`);
    expect(decision.cache!.key).toBe('files.toot.example/media_attachments/files/1/original/a.png');
    expect(decision.forward!.url).toBe('https://files.toot.example/media_attachments/files/1/original/a.png');
    expect(decide(`${MAIN}/system/media_attachments/files/1/original/a.png?v=2`).cache!.key).toBe(
      'toot.example/system/media_attachments/files/1/original/a.png',
    );
  });

  it.each([
    ['SigV4', '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=c&X-Amz-Signature=s'],
    ['SigV2', '?AWSAccessKeyId=k&Expires=1700000000&Signature=s'],
    ['Google', '?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=s'],
  ])('passes %s presigned URLs with their query', (_name, query) => {
    const decision = decide(`${FILES}/exports/a.zip${query}`);
    expect(decision).toMatchObject({ action: 'pass', route: 'files_private' });
    expect(decision.forward!.url).toBe(`https://files.toot.example/exports/a.zip${query}`);
  });
});

describe('rule 7: session-less public answers are shared with signed-in users (custom_css_controller.rb, manifests_controller.rb, well_known/*, instance_actors_controller.rb)', () => {
  it.each([
    '/custom.css',
    '/manifest',
    '/.well-known/webfinger?resource=acct:alice@toot.example',
    '/.well-known/nodeinfo',
    '/nodeinfo/2.0',
    '/.well-known/host-meta',
    '/actor',
  ])('%s is looked up and stored for a signed-in user, public answers only', (path) => {
    const decision = decide(`${MAIN}${path}`, { cookie: '_session_id=alice' });
    expect(decision.action).toBe('cache');
    expect(decision.cache!.publicOnly).toEqual(['cookie']);
    expect(storage(decision, { 'cache-control': 'max-age=180, public' }).store).toBe(true);
    expect(storage(decision, { 'cache-control': 'max-age=180, public', vary: 'Cookie' }).store).toBe(false);
  });
});
