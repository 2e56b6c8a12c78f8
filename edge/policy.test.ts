import { describe, expect, it } from 'vitest';
import { type SiteConfig, siteWithHosts, withHost, withoutHost } from '../src/site-config';
import { type Decision, decideRequest, decideStorage, POLICY_TTLS } from './policy';

const site = siteWithHosts({ main: ['toot.example'], redirect: ['www.toot.example'], static: ['files.toot.example'] });
const now = Date.parse('2026-01-01T00:00:00Z');

function decide(method: string, url: string, headers: Record<string, string> = {}, cachingOn = true, config: SiteConfig | null = site): Decision {
  return decideRequest({ method, url, headers: new Headers(headers), clientAddress: '203.0.113.9' }, config, cachingOn);
}

const MAIN = 'https://toot.example';
const FILES = 'https://files.toot.example';
const AP = { accept: 'application/activity+json' };

// One case per row of the routing table in docs/mastodon-edge-policy.md.
describe('routing table', () => {
  it.each<[string, string, string, Record<string, string>, { route: string; action: string; origin: string | null; status?: number }]>([
    ['/packs/*', 'GET', `${MAIN}/packs/js/app-3f2a.js`, {}, { route: 'fingerprinted_asset', action: 'cache', origin: 'main' }],
    ['/assets/*', 'HEAD', `${MAIN}/assets/logo-9c1.svg`, {}, { route: 'fingerprinted_asset', action: 'cache', origin: 'main' }],
    ['/emoji/*', 'GET', `${MAIN}/emoji/1f600.svg`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/sounds/*', 'GET', `${MAIN}/sounds/boop.mp3`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/avatars/*', 'GET', `${MAIN}/avatars/original/missing.png`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/headers/*', 'GET', `${MAIN}/headers/original/missing.png`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/shortcuts/*', 'GET', `${MAIN}/shortcuts/new.png`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/favicon.ico', 'GET', `${MAIN}/favicon.ico`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/robots.txt', 'GET', `${MAIN}/robots.txt`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/embed.js', 'GET', `${MAIN}/embed.js`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/oops.png', 'GET', `${MAIN}/oops.png`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/badge.png', 'GET', `${MAIN}/badge.png`, {}, { route: 'static_file', action: 'cache', origin: 'main' }],
    ['/sw.js', 'GET', `${MAIN}/sw.js`, {}, { route: 'service_worker', action: 'cache', origin: 'main' }],
    ['static domain', 'GET', `${FILES}/media_attachments/files/1/original/a.png`, {}, { route: 'files', action: 'cache', origin: 'static' }],
    ['static domain HEAD', 'HEAD', `${FILES}/accounts/avatars/1/original/a.png`, {}, { route: 'files', action: 'cache', origin: 'static' }],
    ['static domain other methods', 'PUT', `${FILES}/media_attachments/x.png`, {}, { route: 'files_method', action: 'refuse', origin: null, status: 405 }],
    ['static domain /backups/*', 'GET', `${FILES}/backups/dump.zip`, {}, { route: 'files_private', action: 'pass', origin: 'static' }],
    [
      'X-Amz-Signature URL',
      'GET',
      `${FILES}/media/a.png?X-Amz-Signature=abc&X-Amz-Expires=60`,
      {},
      { route: 'files_private', action: 'pass', origin: 'static' },
    ],
    ['/system/* on the main domain', 'GET', `${MAIN}/system/media_attachments/files/1/a.png`, {}, { route: 'local_media', action: 'cache', origin: 'main' }],
    ['/system/backups/* on the main domain', 'GET', `${MAIN}/system/backups/dump.zip`, {}, { route: 'files_private', action: 'pass', origin: 'main' }],
    ['/api/v1/streaming (SSE)', 'GET', `${MAIN}/api/v1/streaming/user?access_token=secret`, {}, { route: 'streaming', action: 'pass', origin: 'main' }],
    [
      '/api/v1/streaming (WebSocket)',
      'GET',
      `${MAIN}/api/v1/streaming?stream=public`,
      { upgrade: 'websocket', connection: 'Upgrade' },
      { route: 'streaming', action: 'pass', origin: 'main' },
    ],
    ['/inbox', 'POST', `${MAIN}/inbox`, { signature: 'keyId="x"', digest: 'SHA-256=x' }, { route: 'inbox', action: 'pass', origin: 'main' }],
    ['/users/*/inbox', 'POST', `${MAIN}/users/alice/inbox`, {}, { route: 'inbox', action: 'pass', origin: 'main' }],
    ['every non-GET/HEAD', 'DELETE', `${MAIN}/api/v1/statuses/1`, {}, { route: 'write', action: 'pass', origin: 'main' }],
    ['non-GET on a cacheable path', 'POST', `${MAIN}/users/alice`, {}, { route: 'write', action: 'pass', origin: 'main' }],
    ['/users/* (ActivityPub)', 'GET', `${MAIN}/users/alice`, AP, { route: 'activitypub_or_profile', action: 'cache', origin: 'main' }],
    ['/@* (profile page)', 'GET', `${MAIN}/@alice`, {}, { route: 'activitypub_or_profile', action: 'cache', origin: 'main' }],
    ['/tags/*', 'GET', `${MAIN}/tags/fediverse`, {}, { route: 'activitypub_or_profile', action: 'cache', origin: 'main' }],
    ['/actor', 'GET', `${MAIN}/actor`, AP, { route: 'instance_actor', action: 'cache', origin: 'main' }],
    ['/custom.css', 'GET', `${MAIN}/custom.css`, {}, { route: 'sessionless', action: 'cache', origin: 'main' }],
    ['/manifest', 'GET', `${MAIN}/manifest`, {}, { route: 'sessionless', action: 'cache', origin: 'main' }],
    ['outbox', 'GET', `${MAIN}/users/alice/outbox?page=true`, AP, { route: 'activitypub_or_profile', action: 'cache', origin: 'main' }],
    ['followers', 'GET', `${MAIN}/users/alice/followers`, AP, { route: 'activitypub_or_profile', action: 'cache', origin: 'main' }],
    ['following', 'GET', `${MAIN}/users/alice/following`, AP, { route: 'activitypub_or_profile', action: 'cache', origin: 'main' }],
    ['collections', 'GET', `${MAIN}/users/alice/collections/featured`, AP, { route: 'activitypub_or_profile', action: 'cache', origin: 'main' }],
    [
      '/.well-known/webfinger',
      'GET',
      `${MAIN}/.well-known/webfinger?resource=acct:alice@toot.example`,
      {},
      { route: 'webfinger', action: 'cache', origin: 'main' },
    ],
    ['/.well-known/nodeinfo', 'GET', `${MAIN}/.well-known/nodeinfo`, {}, { route: 'discovery', action: 'cache', origin: 'main' }],
    ['/nodeinfo/*', 'GET', `${MAIN}/nodeinfo/2.0`, {}, { route: 'discovery', action: 'cache', origin: 'main' }],
    ['/.well-known/host-meta', 'GET', `${MAIN}/.well-known/host-meta`, {}, { route: 'discovery', action: 'cache', origin: 'main' }],
    ['/api/v1/instance', 'GET', `${MAIN}/api/v1/instance`, {}, { route: 'instance_api', action: 'cache', origin: 'main' }],
    ['/api/v2/instance', 'GET', `${MAIN}/api/v2/instance`, {}, { route: 'instance_api', action: 'cache', origin: 'main' }],
    ['/api/v1/custom_emojis', 'GET', `${MAIN}/api/v1/custom_emojis`, {}, { route: 'instance_api', action: 'cache', origin: 'main' }],
    ['/api/v1/instance/*', 'GET', `${MAIN}/api/v1/instance/peers`, {}, { route: 'instance_api', action: 'cache', origin: 'main' }],
    ['other /api/* without credentials', 'GET', `${MAIN}/api/v1/timelines/public`, {}, { route: 'public_api', action: 'cache', origin: 'main' }],
    [
      'other /api/* with credentials',
      'GET',
      `${MAIN}/api/v1/timelines/public`,
      { authorization: 'Bearer t' },
      { route: 'public_api', action: 'pass', origin: 'main' },
    ],
    ['/oauth/*', 'GET', `${MAIN}/oauth/authorize?client_id=x`, {}, { route: 'private_app', action: 'pass', origin: 'main' }],
    ['/auth/*', 'GET', `${MAIN}/auth/sign_in`, {}, { route: 'private_app', action: 'pass', origin: 'main' }],
    ['/settings/*', 'GET', `${MAIN}/settings/profile`, {}, { route: 'private_app', action: 'pass', origin: 'main' }],
    ['/admin/*', 'GET', `${MAIN}/admin/dashboard`, {}, { route: 'private_app', action: 'pass', origin: 'main' }],
    ['/filters*', 'GET', `${MAIN}/filters/new`, {}, { route: 'private_app', action: 'pass', origin: 'main' }],
    ['/home', 'GET', `${MAIN}/home`, {}, { route: 'private_app', action: 'pass', origin: 'main' }],
    ['/deck/*', 'GET', `${MAIN}/deck/getting-started`, {}, { route: 'private_app', action: 'pass', origin: 'main' }],
    ['/health', 'GET', `${MAIN}/health`, {}, { route: 'health', action: 'pass', origin: 'main' }],
    ['/api/v1/streaming/health', 'GET', `${MAIN}/api/v1/streaming/health`, {}, { route: 'health', action: 'pass', origin: 'main' }],
    ['/media_proxy/*', 'GET', `${MAIN}/media_proxy/1/original`, {}, { route: 'media_proxy', action: 'pass', origin: 'main' }],
    ['any other host', 'GET', 'https://evil.example/users/alice', {}, { route: 'unknown_host', action: 'refuse', origin: null, status: 421 }],
    ['other page on the main domain', 'GET', `${MAIN}/about`, {}, { route: 'page', action: 'cache', origin: 'main' }],
  ])('%s', (_row, method, url, headers, expected) => {
    expect(decide(method, url, headers)).toMatchObject(expected);
  });

  it('hands WebSockets off and streams SSE unbuffered', () => {
    expect(decide('GET', `${MAIN}/api/v1/streaming`, { upgrade: 'websocket' }).streaming).toBe('websocket');
    expect(decide('GET', `${MAIN}/api/v1/streaming/public`).streaming).toBe('sse');
    expect(decide('GET', `${MAIN}/users/alice`).streaming).toBeNull();
  });

  it('sends each origin to its backend from the site config', () => {
    const custom = { ...site, backends: { main: 'lb', static: 'bucket' } };
    expect(decide('GET', `${MAIN}/about`, {}, true, custom).backend).toBe('lb');
    expect(decide('GET', `${FILES}/a.png`, {}, true, custom).backend).toBe('bucket');
  });
});

describe('hosts by role', () => {
  const roles = withHost(withHost(site, 'social.example', 'alias'), 'old.example', 'redirect');

  it('serves an alias host like the main host, under its own name and cache key', () => {
    const decision = decide('GET', 'https://social.example/@alice', {}, true, roles);
    expect(decision).toMatchObject({ action: 'cache', origin: 'main', backend: 'main_origin', route: decide('GET', `${MAIN}/@alice`).route });
    expect(decision.forward!.url).toBe('https://social.example/@alice');
    expect(decision.cache!.key.startsWith('social.example/')).toBe(true);
  });

  it('redirects any redirect host to the canonical host, keeping path and query', () => {
    expect(decide('GET', 'https://old.example/@alice?page=2', {}, true, roles)).toMatchObject({
      action: 'redirect',
      status: 301,
      location: 'https://toot.example/@alice?page=2',
    });
    expect(decide('POST', 'https://old.example/inbox', {}, true, roles)).toMatchObject({ action: 'redirect', status: 308 });
  });

  it('refuses a redirect host while the site has no main host to send it to', () => {
    const noMain = withoutHost(roles, 'toot.example');
    expect(noMain.canonicalHost).toBeNull();
    expect(decide('GET', 'https://old.example/about', {}, true, noMain)).toMatchObject({ action: 'refuse', status: 421, route: 'no_canonical_host' });
    expect(decide('GET', 'https://social.example/about', {}, true, noMain)).toMatchObject({ action: 'cache', origin: 'main' });
  });

  it('serves every static host from the files origin', () => {
    const twoFiles = withHost(site, 'media.toot.example', 'static');
    expect(decide('GET', 'https://media.toot.example/a.png', {}, true, twoFiles)).toMatchObject({ origin: 'static', backend: 'static_origin' });
  });

  it('refuses a host of no role, even a subdomain of a served one', () => {
    expect(decide('GET', 'https://api.toot.example/about', {}, true, roles)).toMatchObject({ action: 'refuse', status: 421, route: 'unknown_host' });
  });
});

describe('always', () => {
  it('forwards the original Host, X-Forwarded-Proto and X-Forwarded-For to the LB', () => {
    const decision = decide('POST', `${MAIN}/inbox`, { 'x-forwarded-for': '198.51.100.1', signature: 'sig', digest: 'd', date: 'x' });
    expect(new URL(decision.forward!.url).host).toBe('toot.example');
    expect(decision.forward!.headers.set).toEqual({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.1, 203.0.113.9' });
    expect(decision.forward!.headers.remove).not.toEqual(expect.arrayContaining(['signature', 'digest', 'date', 'host']));
  });

  it('redirects plain HTTP to HTTPS with 301 (308 keeps a POST) and sends HSTS', () => {
    expect(decide('GET', 'http://toot.example/@alice?x=1')).toMatchObject({ action: 'redirect', status: 301, location: 'https://toot.example/@alice?x=1' });
    expect(decide('POST', 'http://toot.example/inbox')).toMatchObject({ action: 'redirect', status: 308 });
    expect(decide('GET', `${MAIN}/about`).response.set['strict-transport-security']).toMatch(/^max-age=\d+/);
  });

  it('redirects www to the apex when configured, and refuses it otherwise', () => {
    expect(decide('GET', 'http://www.toot.example/about')).toMatchObject({ action: 'redirect', status: 301, location: 'https://toot.example/about' });
    const noWww = withoutHost(site, 'www.toot.example');
    expect(decide('GET', 'https://www.toot.example/about', {}, true, noWww)).toMatchObject({ action: 'refuse', status: 421 });
  });

  it('refuses every host without a site configuration', () => {
    expect(decide('GET', `${MAIN}/about`, {}, true, null)).toMatchObject({ action: 'refuse', status: 421 });
  });

  it('takes the host from the Host header, ignoring its port and case', () => {
    expect(decide('GET', 'https://203.0.113.1/about', { host: 'TOOT.example:443' })).toMatchObject({ origin: 'main', action: 'cache' });
  });

  it('keys on host, path and query', () => {
    expect(decide('GET', `${MAIN}/.well-known/webfinger?resource=acct:a@toot.example`).cache!.key).toBe(
      'toot.example/.well-known/webfinger?resource=acct:a@toot.example',
    );
  });

  it('tags stored objects with their class and the object', () => {
    const keys = (url: string, headers: Record<string, string> = {}) => decide('GET', url, headers).cache!.surrogateKeys;
    expect(keys(`${MAIN}/packs/app.js`)).toEqual(['static', 'toot.example/packs/app.js']);
    expect(keys(`${FILES}/a/b.png`)).toEqual(['media', 'files.toot.example/a/b.png']);
    expect(keys(`${MAIN}/system/a.png`)).toEqual(['media', 'toot.example/system/a.png']);
    expect(keys(`${MAIN}/users/alice`, AP)).toEqual(['activitypub', 'toot.example/users/alice']);
    expect(keys(`${MAIN}/users/alice`)).toEqual(['html', 'toot.example/users/alice']);
    expect(keys(`${MAIN}/api/v1/instance`)).toEqual(['api', 'toot.example/api/v1/instance']);
    expect(keys(`${MAIN}/${'x'.repeat(1100)}`)).toEqual(['html']);
  });

  it('passes everything and stores nothing when the switch is off', () => {
    for (const url of [`${MAIN}/packs/a.js`, `${FILES}/a.png`, `${MAIN}/users/alice`, `${MAIN}/api/v1/instance`]) {
      const decision = decide('GET', url, {}, false);
      expect(decision).toMatchObject({ action: 'pass', cache: null });
      expect(decision.reason).toMatch(/caching is off/);
      expect(decideStorage(decision, { status: 200, headers: new Headers({ 'cache-control': 'public, max-age=600' }) }, now).store).toBe(false);
    }
  });

  it('still refuses unknown hosts and forces TLS when the switch is off', () => {
    expect(decide('GET', 'https://other.example/', {}, false).action).toBe('refuse');
    expect(decide('GET', 'http://toot.example/', {}, false).action).toBe('redirect');
  });
});

describe('files domain', () => {
  it('strips credentials, adds the bucket prefix and Host, keeps Range', () => {
    const bucket = { ...site, staticHostHeader: 's3.bucket.example', staticPathPrefix: '/toot-media/' };
    const decision = decide('GET', `${FILES}/media/a.mp4?v=1`, { authorization: 'Bearer t', cookie: '_session_id=s', range: 'bytes=0-99' }, true, bucket);
    expect(decision.forward!.url).toBe('https://s3.bucket.example/toot-media/media/a.mp4');
    expect(decision.forward!.headers.remove).toEqual(expect.arrayContaining(['authorization', 'cookie']));
    expect(decision.forward!.headers.remove).not.toContain('range');
    expect(decision.action).toBe('cache');
  });

  it('adds the security headers and strips Set-Cookie and x-amz-* from responses', () => {
    const { response } = decide('GET', `${FILES}/a.png`);
    expect(response.set).toMatchObject({
      'access-control-allow-origin': '*',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; form-action 'none'",
    });
    expect(response.remove).toContain('set-cookie');
    expect(response.removePrefixes).toEqual(['x-amz-']);
  });

  it('passes backups whatever the bucket prefix', () => {
    const bucket = { ...site, staticPathPrefix: '/toot-media' };
    expect(decide('GET', `${FILES}/backups/a.zip`, {}, true, bucket)).toMatchObject({ action: 'pass', route: 'files_private' });
  });

  it('also strips credentials on passed private objects', () => {
    expect(decide('GET', `${FILES}/backups/a.zip`, { cookie: 'a=b' }).forward!.headers.remove).toEqual(expect.arrayContaining(['authorization', 'cookie']));
  });

  it('answers 405 with Allow for other methods', () => {
    expect(decide('POST', `${FILES}/a.png`).response.set.allow).toBe('GET, HEAD');
  });

  it('caps the edge TTL at 48 h, errors at seconds, and makes browsers keep files', () => {
    const decision = decide('GET', `${FILES}/a.png`);
    const long = decideStorage(decision, { status: 200, headers: new Headers({ 'cache-control': 'max-age=31536000' }) }, now);
    expect(long).toMatchObject({ store: true, ttl: 48 * 3600 });
    expect(long.clientHeaders.set['cache-control']).toMatch(/immutable/);
    expect(decideStorage(decision, { status: 200, headers: new Headers() }, now)).toMatchObject({ store: true, ttl: 48 * 3600 });
    const missing = decideStorage(decision, { status: 404, headers: new Headers() }, now);
    expect(missing).toMatchObject({ store: true, ttl: POLICY_TTLS.filesError });
    expect(missing.clientHeaders.set['cache-control']).toBeUndefined();
  });
});

describe('main-domain lifetimes', () => {
  const store = (url: string, status: number, headers: Record<string, string> = {}) =>
    decideStorage(decide('GET', url), { status, headers: new Headers(headers) }, now);

  it('stores negotiated answers without varying on the Accept the key already names; other answers vary as the origin says', () => {
    const vary = { 'cache-control': 'max-age=180, public', vary: 'Accept, Accept-Language, Cookie' };
    const signed = { ...AP, signature: 'keyId="k",signature="s"' };
    expect(decideStorage(decide('GET', `${MAIN}/users/alice`, signed), { status: 200, headers: new Headers(vary) }, now).vary).toEqual([
      'accept-language',
      'cookie',
    ]);
    expect(store(`${MAIN}/.well-known/host-meta`, 200, vary).vary).toEqual(['accept-language', 'cookie']);
    expect(store(`${MAIN}/about`, 200, vary).vary).toEqual(['accept', 'accept-language', 'cookie']);
    expect(store(`${MAIN}/about`, 200, { ...vary, 'cache-control': 'private' }).vary).toEqual([]);
  });

  it('gives fingerprinted assets 28 days whatever the origin says', () => {
    expect(store(`${MAIN}/packs/a.js`, 200)).toMatchObject({ store: true, ttl: 28 * 86400 });
    expect(store(`${MAIN}/assets/a.css`, 200, { 'cache-control': 'max-age=60' })).toMatchObject({ store: true, ttl: 28 * 86400 });
  });

  it('does not keep a missing asset for 28 days', () => {
    expect(store(`${MAIN}/packs/gone.js`, 404).store).toBe(false);
    expect(store(`${MAIN}/packs/gone.js`, 404, { 'cache-control': 'max-age=86400' })).toMatchObject({ store: true, ttl: 60 });
  });

  it('gives static files 1 hour plus stale-while-revalidate when Rails sends no lifetime', () => {
    expect(store(`${MAIN}/emoji/1f600.svg`, 200)).toMatchObject({ store: true, ttl: 3600, swr: 3600 });
    expect(store(`${MAIN}/emoji/1f600.svg`, 200, { 'cache-control': 'max-age=600, stale-while-revalidate=10' })).toMatchObject({ ttl: 600, swr: 10 });
  });

  it('gives the service worker 5 minutes', () => {
    expect(store(`${MAIN}/sw.js`, 200, { 'cache-control': 'max-age=604800' })).toMatchObject({ store: true, ttl: 300 });
  });

  it('honours the origin on ActivityPub, WebFinger, NodeInfo and instance routes', () => {
    for (const url of [
      `${MAIN}/users/alice`,
      `${MAIN}/.well-known/webfinger?resource=acct:a@toot.example`,
      `${MAIN}/nodeinfo/2.0`,
      `${MAIN}/api/v1/instance`,
    ]) {
      expect(store(url, 200, { 'cache-control': 'max-age=180, public' })).toMatchObject({ store: true, ttl: 180 });
    }
  });

  it('merges surrogate keys the origin sends', () => {
    expect(store(`${MAIN}/about`, 200, { 'cache-control': 'max-age=60', 'surrogate-key': 'page-about  html' }).surrogateKeys).toEqual([
      'html',
      'toot.example/about',
      'page-about',
    ]);
  });

  it('adds a stale-if-error window so a stored object can stand in for a down origin', () => {
    expect(store(`${MAIN}/about`, 200, { 'cache-control': 'max-age=60' }).sie).toBe(POLICY_TTLS.staleIfError);
  });
});

describe('Accept is normalised into the key where HTML and ActivityPub share a URL', () => {
  it.each([
    ['application/activity+json', 'activitypub'],
    ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 'activitypub'],
    ['application/json', 'activitypub'],
    ['text/html,application/xhtml+xml,*/*;q=0.8', 'html'],
    ['*/*', 'html'],
  ])('%s -> %s', (accept, kind) => {
    const decision = decide('GET', `${MAIN}/@alice/1`, { accept });
    expect(decision.cache!.key).toBe(`toot.example/@alice/1#accept=${kind}`);
    expect(decision.forward!.headers.set.accept).toBe(kind === 'activitypub' ? 'application/activity+json' : 'text/html');
  });

  it('keeps the Accept of a signed request (it may be signed) but keys on its kind', () => {
    const decision = decide('GET', `${MAIN}/users/alice`, { accept: 'application/ld+json', signature: 'keyId="k"' });
    expect(decision.forward!.headers.set.accept).toBeUndefined();
    expect(decision.cache!.key).toBe('toot.example/users/alice#accept=activitypub');
  });

  it('leaves Accept alone when the request is passed', () => {
    expect(decide('GET', `${MAIN}/users/alice`, { accept: 'application/json', cookie: '_session_id=x' }).forward!.headers.set.accept).toBeUndefined();
    expect(decide('GET', `${MAIN}/users/alice`, { accept: 'application/json' }, false).forward!.headers.set.accept).toBeUndefined();
  });

  it('does not add Accept to keys of URLs that are not negotiated', () => {
    expect(decide('GET', `${MAIN}/about`, AP).cache!.key).toBe('toot.example/about');
  });
});

// One or more cases per never-store rule of docs/mastodon-edge-policy.md.
describe('never store', () => {
  const publicHeaders = { 'cache-control': 'public, max-age=600' };
  const storage = (decision: Decision, status: number, headers: Record<string, string>) =>
    decideStorage(decision, { status, headers: new Headers(headers) }, now);

  it('1: a request with Authorization or a session cookie is passed', () => {
    for (const headers of [{ authorization: 'Bearer t' }, { cookie: '_session_id=abc' }, { cookie: '_mastodon_session=x; remember_user_token=y' }] as Record<
      string,
      string
    >[]) {
      for (const url of [`${MAIN}/@alice`, `${MAIN}/users/alice`, `${MAIN}/about`, `${MAIN}/api/v1/timelines/public`]) {
        const decision = decide('GET', url, headers);
        expect(decision.action).toBe('pass');
        expect(decision.reason).toMatch(/rule 1/);
        expect(storage(decision, 200, publicHeaders).store).toBe(false);
      }
    }
  });

  it('1: except static files, forwarded without them', () => {
    for (const url of [`${MAIN}/packs/a.js`, `${MAIN}/emoji/a.png`, `${FILES}/a.png`]) {
      const decision = decide('GET', url, { authorization: 'Bearer t', cookie: '_session_id=abc' });
      expect(decision.action).toBe('cache');
      expect(decision.forward!.headers.remove).toEqual(expect.arrayContaining(['authorization', 'cookie']));
    }
  });

  it('1: a signed request only gets a public response that does not vary on Signature', () => {
    const signed = decide('GET', `${MAIN}/users/alice`, { ...AP, signature: 'keyId="https://remote.example/actor#main-key"' });
    expect(signed).toMatchObject({ action: 'cache', cache: { publicOnly: ['signature'] } });
    expect(storage(signed, 200, { 'cache-control': 'public, max-age=180' }).store).toBe(true);
    expect(storage(signed, 200, { 'cache-control': 'max-age=180' }).store).toBe(false);
    expect(storage(signed, 200, { 'cache-control': 'public, max-age=180', vary: 'Accept, Signature' }).store).toBe(false);
    expect(storage(signed, 200, { 'cache-control': 'private, max-age=180', vary: 'Signature' }).store).toBe(false);
  });

  it.each([
    ['Set-Cookie', { ...publicHeaders, 'set-cookie': 'a=b' }],
    ['Cache-Control: private', { 'cache-control': 'private, max-age=600' }],
    ['Cache-Control: no-store', { 'cache-control': 'no-store' }],
    ['Cache-Control: no-cache', { 'cache-control': 'no-cache, max-age=600' }],
    ['Vary: *', { ...publicHeaders, vary: '*' }],
    ['Surrogate-Control: no-store', { 'surrogate-control': 'no-store', 'cache-control': 'max-age=600' }],
  ])('2: a response with %s, on any cacheable route', (_name, headers) => {
    for (const url of [`${MAIN}/users/alice`, `${MAIN}/packs/a.js`, `${MAIN}/emoji/a.png`, `${FILES}/a.png`, `${MAIN}/api/v1/instance`]) {
      const result = storage(decide('GET', url), 200, headers);
      expect(result.store).toBe(false);
      expect(result.reason).toMatch(/rule 2/);
    }
  });

  it('3: a main-domain response without an explicit lifetime, unless the table gives the TTL', () => {
    for (const url of [`${MAIN}/@alice`, `${MAIN}/about`, `${MAIN}/api/v1/instance`, `${MAIN}/nodeinfo/2.0`]) {
      expect(storage(decide('GET', url), 200, { 'cache-control': 'public' })).toMatchObject({ store: false, reason: expect.stringMatching(/rule 3/) });
    }
    expect(storage(decide('GET', `${MAIN}/emoji/a.png`), 200, {}).store).toBe(true);
  });

  it('4: content-negotiated URLs are never keyed on the URL alone, 301s included', () => {
    const html = decide('GET', `${MAIN}/users/alice`, { accept: 'text/html' });
    const json = decide('GET', `${MAIN}/users/alice`, AP);
    expect(html.cache!.key).not.toBe(json.cache!.key);
    expect(storage(json, 301, { 'cache-control': 'max-age=60', location: '/@alice' }).store).toBe(true);
  });

  it('5: streaming, inbox POSTs, OAuth and health checks', () => {
    for (const [method, url] of [
      ['GET', `${MAIN}/api/v1/streaming/public`],
      ['POST', `${MAIN}/inbox`],
      ['POST', `${MAIN}/users/alice/inbox`],
      ['GET', `${MAIN}/oauth/authorize`],
      ['POST', `${MAIN}/oauth/token`],
      ['GET', `${MAIN}/health`],
    ] as const) {
      const decision = decide(method, url);
      expect(decision.action).toBe('pass');
      expect(storage(decision, 200, publicHeaders).store).toBe(false);
    }
  });

  it('6: private objects, and files-origin errors only for seconds', () => {
    expect(storage(decide('GET', `${FILES}/backups/x.zip`), 200, publicHeaders).store).toBe(false);
    expect(storage(decide('GET', `${FILES}/a.png?X-Amz-Signature=s`), 200, publicHeaders).store).toBe(false);
    expect(storage(decide('GET', `${FILES}/a.png`), 404, { 'cache-control': 'max-age=86400' })).toMatchObject({ store: true, ttl: 10 });
    expect(storage(decide('GET', `${FILES}/a.png`), 410, {})).toMatchObject({ store: true, ttl: 10 });
  });

  it('statuses Fastly does not cache by default', () => {
    for (const status of [201, 206, 304, 307, 403, 500, 503]) {
      expect(storage(decide('GET', `${FILES}/a.png`), status, publicHeaders)).toMatchObject({ store: false, reason: expect.stringMatching(/not cacheable/) });
    }
  });

  it('a zero lifetime', () => {
    expect(storage(decide('GET', `${MAIN}/about`), 200, { 'cache-control': 'public, max-age=0' }).store).toBe(false);
  });
});

// Requests crafted to reach another route, host, key or lifetime than they seem to (issue: the local
// edge and the policy must be safe to expose).
describe('hardening', () => {
  it.each([
    ['/system/%62ackups/dump.zip'],
    ['/system//backups/dump.zip'],
    ['/system/Backups/dump.zip'],
    ['/system/BACKUPS/dump.zip'],
    ['/system/media/../backups/dump.zip'],
    ['/system/%2e%2e/system/backups/dump.zip'],
    ['/system/backups%2Fdump.zip'],
  ])('never stores backups spelt %s', (path) => {
    const decision = decide('GET', `${MAIN}${path}`);
    expect(decision.action).toBe('pass');
    expect(decideStorage(decision, { status: 200, headers: new Headers({ 'cache-control': 'public, max-age=600' }) }, now).store).toBe(false);
  });

  it('normalises the path once: one key and one origin URL for every spelling', () => {
    const spellings = ['/packs/js/app.js', '/packs//js/app.js', '/packs/./js/app.js', '/packs/x/../js/app.js', '/%70acks/js/app.js'];
    const decisions = spellings.map((path) => decide('GET', `${MAIN}${path}`));
    expect(new Set(decisions.map((decision) => decision.cache!.key))).toEqual(new Set(['toot.example/packs/js/app.js']));
    expect(new Set(decisions.map((decision) => decision.forward!.url))).toEqual(new Set(['https://toot.example/packs/js/app.js']));
  });

  it('never reads //host in a path as a host', () => {
    const decision = decide('GET', `${MAIN}//127.0.0.1:8080/steal`, { cookie: '_session_id=alice' });
    expect(new URL(decision.forward!.url).host).toBe('toot.example');
    expect(decision.forward!.url).toBe('https://toot.example/127.0.0.1:8080/steal');
    const files = decide('GET', `${FILES}//127.0.0.1:8080/steal`);
    expect(new URL(files.forward!.url).host).toBe('files.toot.example');
    expect(files.cache!.key).toBe('files.toot.example/127.0.0.1:8080/steal');
  });

  it('drops headers the origin acts on but the key ignores, and hop-by-hop headers', () => {
    const sent = {
      'x-forwarded-host': 'evil.example',
      forwarded: 'host=evil.example',
      'x-original-url': '/admin',
      'x-rewrite-url': '/admin',
      'x-http-method-override': 'DELETE',
      connection: 'keep-alive, x-secret-hop',
      'x-secret-hop': '1',
      te: 'trailers',
      'proxy-authorization': 'Basic x',
      upgrade: 'h2c',
    };
    for (const url of [`${MAIN}/packs/app.js`, `${MAIN}/about`, `${FILES}/a.png`, `${MAIN}/api/v1/timelines/home`]) {
      const { remove } = decide('GET', url, sent).forward!.headers;
      expect(remove).toEqual(
        expect.arrayContaining([
          'x-forwarded-host',
          'forwarded',
          'x-original-url',
          'x-rewrite-url',
          'x-http-method-override',
          'connection',
          'x-secret-hop',
          'te',
          'proxy-authorization',
          'upgrade',
        ]),
      );
    }
  });

  it('keeps the WebSocket handshake on a handoff, and still drops unkeyed headers', () => {
    const { remove } = decide('GET', `${MAIN}/api/v1/streaming`, { upgrade: 'websocket', connection: 'Upgrade', 'x-forwarded-host': 'evil.example' }).forward!
      .headers;
    expect(remove).not.toContain('upgrade');
    expect(remove).not.toContain('connection');
    expect(remove).toContain('x-forwarded-host');
  });

  it('caps absurd origin lifetimes', () => {
    const store = (url: string, headers: Record<string, string>) => decideStorage(decide('GET', url), { status: 200, headers: new Headers(headers) }, now);
    expect(store(`${MAIN}/about`, { 'cache-control': 'public, max-age=100000000000000000000' })).toMatchObject({ store: true, ttl: POLICY_TTLS.originMax });
    expect(store(`${MAIN}/users/alice`, { 'cache-control': 'public, s-maxage=999999999' })).toMatchObject({ store: true, ttl: POLICY_TTLS.originMax });
    expect(store(`${MAIN}/emoji/a.png`, { 'cache-control': 'max-age=999999999' })).toMatchObject({ store: true, ttl: POLICY_TTLS.edgeMax });
    const windows = store(`${MAIN}/about`, { 'cache-control': 'max-age=60, stale-while-revalidate=999999999, stale-if-error=999999999' });
    expect([windows.swr, windows.sie]).toEqual([POLICY_TTLS.staleMax, POLICY_TTLS.staleMax]);
  });

  it('honours Surrogate-Control: its lifetime wins, and it lets the edge keep what browsers must revalidate', () => {
    const store = (url: string, headers: Record<string, string>) => decideStorage(decide('GET', url), { status: 200, headers: new Headers(headers) }, now);
    expect(store(`${MAIN}/about`, { 'cache-control': 'public, no-cache', 'surrogate-control': 'max-age=300' })).toMatchObject({ store: true, ttl: 300 });
    expect(store(`${MAIN}/about`, { 'cache-control': 'public, max-age=30', 'surrogate-control': 'max-age=300' })).toMatchObject({ store: true, ttl: 300 });
    expect(store(`${MAIN}/packs/a.js`, { 'surrogate-control': 'max-age=60' })).toMatchObject({ store: true, ttl: 60 });
    // Private stays private whatever Surrogate-Control says; its no-store wins over Cache-Control.
    expect(store(`${MAIN}/about`, { 'cache-control': 'private', 'surrogate-control': 'max-age=300' }).store).toBe(false);
    expect(store(`${MAIN}/about`, { 'cache-control': 'public, max-age=300', 'surrogate-control': 'no-store' }).store).toBe(false);
    // Browsers never see it.
    expect(decide('GET', `${MAIN}/about`).response.remove).toContain('surrogate-control');
  });
});
