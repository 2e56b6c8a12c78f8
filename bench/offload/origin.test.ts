import { describe, expect, it } from 'vitest';
import { OriginModel } from './origin';
import { MAIN_HOST, STATIC_HOST } from './site';
import { type BenchRequest, type Resource, START_MS } from './workload';

const HOUR = 3_600_000;

function request(resource: Resource, target: string, headers: Record<string, string> = {}, extra: Partial<BenchRequest> = {}): BenchRequest {
  const host = ['avatar', 'preview', 'original', 'video'].includes(resource) ? STATIC_HOST : MAIN_HOST;
  return {
    atMs: START_MS,
    method: 'GET',
    host,
    target,
    headers: { host, ...headers },
    client: 'browser:1',
    clientKind: 'browser',
    resource,
    objectId: 5,
    ...extra,
  };
}

const origin = (authorizedFetch = false) => new OriginModel({ seed: 3, authorizedFetch, startMs: START_MS, durationMs: HOUR });
const ACTIVITYPUB = { accept: 'application/activity+json, application/ld+json', signature: 'keyId="x"' };

describe('OriginModel', () => {
  it('gives fingerprinted packs a long lifetime and Rails-served emoji none', () => {
    const pack = origin().answer(request('pack', '/packs/js/a.js'), {}, START_MS);
    expect(pack.headers.get('cache-control')).toBe('public, max-age=2419200, must-revalidate');
    const emoji = origin().answer(request('emoji', '/emoji/1f600.svg'), {}, START_MS);
    expect(emoji.status).toBe(200);
    expect(emoji.headers.has('cache-control')).toBe(false);
    expect(emoji.owner).toBeNull();
  });

  it('serves media from storage with a long max-age and sizes in the document ranges', () => {
    const model = origin();
    for (let id = 0; id < 200; id++) {
      const answer = model.answer(request('video', `/v/${id}.mp4`, {}, { objectId: id }), {}, START_MS + 2 * HOUR);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=315576000, immutable');
      expect(answer.bytes).toBeGreaterThanOrEqual(1_000_000);
      expect(answer.bytes).toBeLessThanOrEqual(40_000_000);
    }
  });

  it('answers 404 for some objects until they appear, then 200', () => {
    const model = origin();
    const missing = Array.from({ length: 5_000 }, (_, id) => id).filter(
      (id) => model.answer(request('avatar', `/a/${id}.png`, {}, { objectId: id }), {}, START_MS).status === 404,
    );
    expect(missing.length).toBeGreaterThan(10);
    expect(missing.length).toBeLessThan(150);
    const later = missing.map((id) => model.answer(request('avatar', `/a/${id}.png`, {}, { objectId: id }), {}, START_MS + 10 * HOUR).status);
    expect(later.every((status) => status === 200)).toBe(true);
  });

  it('marks ActivityPub JSON public for 180 s, or private to the signer under authorized fetch', () => {
    const signedActor = request('actor', '/users/user5', ACTIVITYPUB, { client: 'server:9', clientKind: 'server' });
    const open = origin().answer(signedActor, signedActor.headers, START_MS);
    expect(open.headers.get('cache-control')).toBe('max-age=180, public');
    expect(open.headers.get('vary')).toContain('Accept');
    expect(open.owner).toBeNull();
    const secure = origin(true).answer(signedActor, signedActor.headers, START_MS);
    expect(secure.headers.get('cache-control')).toBe('max-age=180, private');
    expect(secure.headers.get('vary')).toContain('Signature');
    expect(secure.owner).toBe('server:9');
    const unsigned = { accept: ACTIVITYPUB.accept };
    expect(origin(true).answer(request('actor', '/users/user5', unsigned), unsigned, START_MS).status).toBe(401);
  });

  it('answers one status URL with HTML or ActivityPub JSON by Accept', () => {
    const model = origin();
    const page = request('status', '/@user1/5', { accept: 'text/html' });
    expect(model.answer(page, page.headers, START_MS).representation).toBe('html');
    const json = request('status', '/@user1/5', ACTIVITYPUB, { client: 'server:1', clientKind: 'server' });
    expect(model.answer(json, json.headers, START_MS).representation).toBe('activity-json');
  });

  it('keeps API answers private to the token holder, and refuses them without one', () => {
    const api = request('api-private', '/api/v1/timelines/home', { authorization: 'Bearer t' }, { client: 'app:4', clientKind: 'app' });
    const answer = origin().answer(api, api.headers, START_MS);
    expect(answer.headers.get('cache-control')).toBe('private, no-store');
    expect(answer.owner).toBe('app:4');
    expect(origin().answer(api, { host: MAIN_HOST }, START_MS).status).toBe(401);
  });

  it('answers anonymous API reads as cache_if_unauthenticated! does, localised only for trends, and needs a login elsewhere', () => {
    const model = origin();
    const visitor = { accept: 'application/json', 'accept-language': 'de-DE,de;q=0.9' };
    const status = model.answer(request('api-anonymous', '/api/v1/statuses/9', visitor), visitor, START_MS);
    expect(status.headers.get('cache-control')).toBe('public, max-age=15, stale-while-revalidate=30, stale-if-error=86400');
    expect([status.owner, status.variant]).toEqual([null, 'json']);
    const trends = model.answer(request('api-anonymous', '/api/v1/trends/tags', visitor), visitor, START_MS);
    expect(trends.headers.get('vary')).toContain('Accept-Language');
    expect(trends.variant).toBe('json:de');
    const home = model.answer(request('api-anonymous', '/api/v1/timelines/home', visitor), visitor, START_MS);
    expect([home.status, home.headers.get('cache-control')]).toEqual([401, 'private, no-store']);
    const signedIn = { ...visitor, authorization: 'Bearer t' };
    const mine = model.answer(request('api-anonymous', '/api/v1/statuses/9', signedIn, { client: 'app:4' }), signedIn, START_MS);
    expect([mine.headers.get('cache-control'), mine.owner]).toEqual(['private, no-store', 'app:4']);
  });

  it('makes signed-in pages private and some anonymous pages set a session cookie owned by that browser', () => {
    const model = origin();
    const signedIn = request('account-page', '/@user5', { cookie: '_mastodon_session=abc' }, { client: 'user:2', clientKind: 'user' });
    const mine = model.answer(signedIn, signedIn.headers, START_MS);
    expect(mine.headers.get('cache-control')).toContain('private');
    expect(mine.owner).toBe('user:2');
    const anonymous = Array.from({ length: 400 }, (_, index) =>
      model.answer(
        request('account-page', '/@user5', { accept: 'text/html' }, { atMs: START_MS + index * 1000 }),
        { accept: 'text/html' },
        START_MS + index * 1000,
      ),
    );
    const withCookie = anonymous.filter((answer) => answer.headers.has('set-cookie'));
    expect(withCookie.length).toBeGreaterThan(20);
    expect(withCookie.every((answer) => answer.owner === 'browser:1' && answer.headers.get('cache-control') === 'max-age=15, public')).toBe(true);
    expect(anonymous.filter((answer) => !answer.headers.has('set-cookie')).every((answer) => answer.owner === null)).toBe(true);
  });

  it('changes versions over time for objects that change, never for immutable ones', () => {
    const model = origin();
    const collection = request('collection', '/users/user1/outbox', ACTIVITYPUB);
    const before = model.answer(collection, collection.headers, START_MS).version;
    const after = model.answer(collection, collection.headers, START_MS + 24 * HOUR).version;
    expect(after).toBeGreaterThan(before);
    const pack = request('pack', '/packs/js/a.js');
    expect(model.answer(pack, {}, START_MS + 24 * HOUR).version).toBe(origin().answer(pack, {}, START_MS).version);
  });
});
