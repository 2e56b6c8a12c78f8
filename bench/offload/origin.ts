import { hashUnit, logUniform } from '../random';
import type { BenchRequest } from './workload';

// What the origin answers for each URL, with the headers Mastodon (Rails, behind nginx without
// its static-file rules) and object storage really send: fingerprinted packs with a long max-age,
// Rails-served emoji/avatars/sounds with no freshness lifetime at all (Mastodon issue 24021),
// ActivityPub JSON `max-age=180, public` (private to the signer under authorized fetch),
// HTML varying on Accept, Accept-Language and Cookie, API responses `private, no-store`, media
// from object storage with a long max-age. Every answer says whom it is private to, so the
// benchmark can count a leak when a cache hands it to anyone else.

export type Representation = 'html' | 'activity-json' | 'json' | 'jrd' | 'media' | 'static' | 'event-stream' | 'empty' | 'error';

export interface OriginAnswer {
  status: number;
  headers: Headers;
  /** Body bytes sent to the client. */
  bytes: number;
  /** The client this answer is private to (per-user content, a fresh session cookie); null when shareable. */
  owner: string | null;
  representation: Representation;
  /** Changes whenever the object behind the URL changes; an answer is valid while its version is current. */
  version: number;
  /** What besides the URL selects this content (representation, locale): the ideal cache keys on it. */
  variant: string;
}

export interface OriginOptions {
  seed: number;
  /** Mastodon's AUTHORIZED_FETCH ("secure mode"). */
  authorizedFetch: boolean;
  /** Run window; objects missing from storage appear at some point in it (or later). */
  startMs: number;
  durationMs: number;
}

const MINUTE_S = 60;
const HOUR_S = 3600;

/** Mean seconds between changes of an object, per content family; absent = never changes. */
const CHANGE_INTERVAL_S: Record<string, number> = {
  actor: 6 * HOUR_S,
  'status-json': 24 * HOUR_S,
  'status-html': 30 * MINUTE_S,
  collection: 30 * MINUTE_S,
  'account-page': HOUR_S,
  'tag-page': 10 * MINUTE_S,
  'api-instance-0': HOUR_S, // /api/v2/instance (usage statistics)
  'api-instance-1': HOUR_S, // /api/v1/instance
  'api-instance-2': 24 * HOUR_S, // /api/v1/custom_emojis
  'nodeinfo-1': 30 * MINUTE_S, // /nodeinfo/2.0 (usage counts)
  // Anonymous API reads: counts on a status change while it is passed around; the instance posts
  // every few seconds, which is how often its public timeline changes.
  'api-status': 10 * MINUTE_S,
  'api-context': 10 * MINUTE_S,
  'api-account': 6 * HOUR_S,
  'api-account-statuses': HOUR_S,
  'api-trends': 10 * MINUTE_S,
  'api-public-timeline': 6,
  'api-tag-timeline': 10 * MINUTE_S,
  'api-directory': 10 * MINUTE_S,
  'api-poll': 5 * MINUTE_S,
};

/** What `cache_if_unauthenticated!` sends to a visitor (Api::CachingConcern). */
const ANONYMOUS_API_CACHE_CONTROL = 'public, max-age=15, stale-while-revalidate=30, stale-if-error=86400';

/** Anonymous API reads by path: content family, size range, and whether the answer is localised (trends). */
const ANONYMOUS_API_ROUTES: ReadonlyArray<{ pattern: RegExp; family: string; size: readonly [number, number]; localised?: boolean }> = [
  { pattern: /^\/api\/v1\/statuses\/\d+$/, family: 'api-status', size: [1_500, 6_000] },
  { pattern: /^\/api\/v1\/statuses\/\d+\/context$/, family: 'api-context', size: [2_000, 60_000] },
  { pattern: /^\/api\/v1\/accounts\/lookup$/, family: 'api-account', size: [1_500, 4_000] },
  { pattern: /^\/api\/v1\/accounts\/\d+\/statuses$/, family: 'api-account-statuses', size: [20_000, 80_000] },
  { pattern: /^\/api\/v1\/trends\//, family: 'api-trends', size: [10_000, 40_000], localised: true },
  { pattern: /^\/api\/v1\/timelines\/public$/, family: 'api-public-timeline', size: [30_000, 80_000] },
  { pattern: /^\/api\/v1\/timelines\/tag\//, family: 'api-tag-timeline', size: [20_000, 80_000] },
  { pattern: /^\/api\/v1\/directory$/, family: 'api-directory', size: [30_000, 60_000] },
  { pattern: /^\/api\/v1\/polls\/\d+$/, family: 'api-poll', size: [500, 2_000] },
];

/** Share of objects in storage that are not there yet (being processed, remote media not cached yet). */
const MISSING_MEDIA_SHARE = 0.01;
/** Share of anonymous page views on which Rails sets a fresh session cookie. */
const ANONYMOUS_SET_COOKIE_SHARE = 0.15;
/** Share of signed-in page views on which the session cookie is refreshed. */
const SIGNED_IN_SET_COOKIE_SHARE = 0.3;

const ACTIVITYPUB_ACCEPT = /application\/(activity\+json|ld\+json)/;
/** Size ranges (bytes) of the policy document: avatars, previews, originals, video. */
const MEDIA_SIZES = {
  avatar: [5_000, 100_000],
  preview: [20_000, 150_000],
  original: [200_000, 3_000_000],
  video: [1_000_000, 40_000_000],
} as const;
const MEDIA_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', mp4: 'video/mp4' };

interface VersionTrack {
  version: number;
  nextChangeMs: number;
}

/** The language a localised answer is rendered in (the first tag's language; the model has no regional variants). */
function localeOf(forwarded: Record<string, string>): string {
  return (forwarded['accept-language'] ?? 'en').split(/[,;-]/)[0] ?? 'en';
}

export class OriginModel {
  private readonly versions = new Map<string, VersionTrack>();

  constructor(private readonly options: OriginOptions) {}

  /** The origin's answer to a request as the edge forwarded it (credentials may have been stripped). */
  answer(request: BenchRequest, forwarded: Record<string, string>, nowMs: number): OriginAnswer {
    const { resource, objectId } = request;
    const credentials = this.credentials(request, forwarded);
    switch (resource) {
      case 'avatar':
      case 'preview':
      case 'original':
      case 'video':
        return this.media(request, forwarded, nowMs);
      case 'pack':
        return this.staticFile(request, logUniform(hashUnit(this.options.seed, objectId, 1), 2_000, 800_000), {
          'cache-control': 'public, max-age=2419200, must-revalidate',
          'content-type': 'application/javascript',
        });
      case 'emoji':
        return this.staticFile(request, logUniform(hashUnit(this.options.seed, objectId, 2), 500, 4_000), { 'content-type': 'image/svg+xml' });
      case 'missing-image':
        return this.staticFile(request, 3_000 + objectId * 1_000, { 'content-type': 'image/png' });
      case 'sound':
        return this.staticFile(request, 8_000 + objectId * 2_000, { 'content-type': 'audio/ogg' });
      case 'root-file':
        return this.staticFile(request, logUniform(hashUnit(this.options.seed, objectId, 3), 100, 20_000), { 'content-type': 'application/octet-stream' });
      case 'service-worker':
        return this.staticFile(request, 30_000, { 'content-type': 'application/javascript' });
      case 'api-instance':
        return this.json(request, nowMs, `api-instance-${objectId}`, [8_000, 5_000, 150_000, 1_000][objectId] ?? 1_000, {
          'cache-control': 'max-age=180, public',
          vary: 'Accept, Origin',
        });
      case 'api-private':
      case 'streaming':
        return this.privateApi(request, credentials);
      case 'api-anonymous':
        return this.anonymousApi(request, forwarded, credentials, nowMs);
      case 'inbox':
        return { status: 202, headers: new Headers({ 'content-length': '0' }), bytes: 0, owner: null, representation: 'empty', version: 0, variant: '' };
      case 'actor':
      case 'collection':
      case 'status':
        return this.federationObject(request, forwarded, credentials, nowMs);
      case 'webfinger':
        return this.json(
          request,
          nowMs,
          'webfinger',
          logUniform(hashUnit(this.options.seed, objectId, 4), 500, 1_000),
          {
            'cache-control': 'max-age=259200, public',
            'content-type': 'application/jrd+json; charset=utf-8',
          },
          'jrd',
        );
      case 'nodeinfo':
        return this.json(request, nowMs, `nodeinfo-${objectId}`, [400, 1_800, 600][objectId] ?? 500, {
          'cache-control': objectId === 1 ? 'max-age=1800, public' : 'max-age=259200, public',
        });
      case 'account-page':
      case 'tag-page':
        return this.page(request, forwarded, credentials, nowMs);
    }
  }

  /** Who the forwarded credentials say is asking, or null when anonymous. */
  private credentials(request: BenchRequest, forwarded: Record<string, string>): string | null {
    if (forwarded.authorization || /_mastodon_session=/.test(forwarded.cookie ?? '')) return request.client;
    return null;
  }

  private version(family: string, objectId: number, nowMs: number): number {
    const mean = CHANGE_INTERVAL_S[family];
    if (mean === undefined) return 0;
    const key = `${family}:${objectId}`;
    let track = this.versions.get(key);
    if (!track) {
      track = { version: 0, nextChangeMs: this.options.startMs + this.gap(key, 0, mean) };
      this.versions.set(key, track);
    }
    while (track.nextChangeMs <= nowMs) {
      track.version++;
      track.nextChangeMs += this.gap(key, track.version, mean);
    }
    return track.version;
  }

  private gap(key: string, index: number, meanSeconds: number): number {
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
    return -Math.log(1 - hashUnit(this.options.seed, hash, index)) * meanSeconds * 1000;
  }

  private media(request: BenchRequest, forwarded: Record<string, string>, nowMs: number): OriginAnswer {
    const { seed, startMs, durationMs } = this.options;
    const salt = request.resource.length;
    const amz = { 'x-amz-request-id': 'B3A1C0FFEE', 'x-amz-id-2': 'n0tr3al', server: 'AmazonS3' };
    // Object storage rejects an Authorization header it did not sign.
    if (forwarded.authorization) {
      return this.error(400, { ...amz, 'content-type': 'application/xml' }, 'media');
    }
    const missing = hashUnit(seed, request.objectId, 100 + salt) < MISSING_MEDIA_SHARE;
    const appearsAt = startMs + hashUnit(seed, request.objectId, 200 + salt) * durationMs * 1.5;
    if (missing && nowMs < appearsAt) {
      return {
        status: 404,
        headers: new Headers({ ...amz, 'content-type': 'application/xml' }),
        bytes: 243,
        owner: null,
        representation: 'error',
        version: 0,
        variant: 'media',
      };
    }
    const [min, max] = MEDIA_SIZES[request.resource as keyof typeof MEDIA_SIZES];
    const bytes = logUniform(hashUnit(seed, request.objectId, salt), min, max);
    const extension = request.target.slice(request.target.lastIndexOf('.') + 1);
    return {
      status: 200,
      headers: new Headers({
        ...amz,
        'cache-control': 'public, max-age=315576000, immutable',
        'content-type': MEDIA_TYPES[extension] ?? 'application/octet-stream',
        'content-length': String(bytes),
        etag: `"${request.objectId.toString(16)}"`,
        'accept-ranges': 'bytes',
        'last-modified': new Date(startMs - 86_400_000).toUTCString(),
      }),
      bytes,
      owner: null,
      representation: 'media',
      version: missing ? 1 : 0,
      variant: 'media',
    };
  }

  private staticFile(request: BenchRequest, bytes: number, headers: Record<string, string>): OriginAnswer {
    return {
      status: 200,
      headers: new Headers({
        ...headers,
        'content-length': String(bytes),
        'last-modified': new Date(this.options.startMs - 3_600_000).toUTCString(),
        etag: `W/"${request.objectId}-${bytes}"`,
      }),
      bytes,
      owner: null,
      representation: 'static',
      version: 0,
      variant: 'static',
    };
  }

  private json(
    request: BenchRequest,
    nowMs: number,
    family: string,
    bytes: number,
    headers: Record<string, string>,
    representation: Representation = 'json',
  ): OriginAnswer {
    const version = this.version(family, request.objectId, nowMs);
    return {
      status: 200,
      headers: new Headers({
        'content-type': 'application/json; charset=utf-8',
        ...headers,
        'content-length': String(bytes),
        etag: `W/"${family}-${request.objectId}-${version}"`,
      }),
      bytes,
      owner: null,
      representation,
      version,
      variant: representation,
    };
  }

  private privateApi(request: BenchRequest, credentials: string | null): OriginAnswer {
    if (credentials === null) {
      return this.error(
        401,
        { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-store', 'www-authenticate': 'Bearer realm="Doorkeeper"' },
        'json',
      );
    }
    const streaming = request.resource === 'streaming';
    const bytes = streaming ? 2_000 : logUniform(hashUnit(this.options.seed, request.objectId, request.target.length), 1_000, 60_000);
    return {
      status: 200,
      headers: new Headers({
        'content-type': streaming ? 'text/event-stream' : 'application/json; charset=utf-8',
        'cache-control': 'private, no-store',
        vary: 'Accept, Origin',
        'content-length': String(bytes),
      }),
      bytes,
      owner: credentials,
      representation: streaming ? 'event-stream' : 'json',
      version: 0,
      variant: `private:${credentials}`,
    };
  }

  /** `cache_if_unauthenticated!` endpoints: public for 15 s to visitors; every other endpoint needs a login. */
  private anonymousApi(request: BenchRequest, forwarded: Record<string, string>, credentials: string | null, nowMs: number): OriginAnswer {
    const path = request.target.split('?')[0]!;
    const route = ANONYMOUS_API_ROUTES.find(({ pattern }) => pattern.test(path));
    if (!route || credentials !== null) return this.privateApi(request, credentials);
    const version = this.version(route.family, request.objectId, nowMs);
    const bytes = logUniform(hashUnit(this.options.seed, request.objectId, route.family.length), route.size[0], route.size[1]);
    const locale = route.localised ? localeOf(forwarded) : null;
    return {
      status: 200,
      headers: new Headers({
        'content-type': 'application/json; charset=utf-8',
        'cache-control': ANONYMOUS_API_CACHE_CONTROL,
        // Api::BaseController varies on Authorization, Rack::Cors on Origin; trends on the locale too.
        vary: route.localised ? 'Authorization, Accept-Language, Origin' : 'Authorization, Origin',
        'content-length': String(bytes),
        etag: `W/"${route.family}-${request.objectId}-${version}${locale ? `-${locale}` : ''}"`,
      }),
      bytes,
      owner: null,
      representation: 'json',
      version,
      variant: locale ? `json:${locale}` : 'json',
    };
  }

  private federationObject(request: BenchRequest, forwarded: Record<string, string>, credentials: string | null, nowMs: number): OriginAnswer {
    const wantsJson = ACTIVITYPUB_ACCEPT.test(forwarded.accept ?? '');
    if (request.resource === 'status' && !wantsJson) return this.page(request, forwarded, credentials, nowMs);
    const family = request.resource === 'status' ? 'status-json' : request.resource;
    const signer = forwarded.signature ? request.client : null;
    const vary = this.options.authorizedFetch ? 'Accept, Accept-Language, Cookie, Signature' : 'Accept, Accept-Language, Cookie';
    if (this.options.authorizedFetch && signer === null) {
      return this.error(401, { 'content-type': 'application/activity+json; charset=utf-8', vary }, 'activity-json');
    }
    const privateToSigner = this.options.authorizedFetch;
    const version = this.version(family, request.objectId, nowMs);
    const [min, max] = request.resource === 'actor' ? [3_000, 8_000] : request.resource === 'status' ? [1_000, 6_000] : [500, 3_000];
    const bytes = logUniform(hashUnit(this.options.seed, request.objectId, family.length), min, max);
    return {
      status: 200,
      headers: new Headers({
        'content-type': 'application/activity+json; charset=utf-8',
        'cache-control': privateToSigner ? 'max-age=180, private' : 'max-age=180, public',
        vary,
        'content-length': String(bytes),
        etag: `W/"${family}-${request.objectId}-${version}"`,
      }),
      bytes,
      owner: privateToSigner ? signer : null,
      representation: 'activity-json',
      version,
      variant: privateToSigner ? `activity-json:${signer}` : 'activity-json',
    };
  }

  private page(request: BenchRequest, forwarded: Record<string, string>, credentials: string | null, nowMs: number): OriginAnswer {
    const family = request.resource === 'status' ? 'status-html' : request.resource;
    const version = this.version(family, request.objectId, nowMs);
    const baseBytes = logUniform(hashUnit(this.options.seed, request.objectId, 7 + family.length), 8_000, 40_000);
    const locale = localeOf(forwarded);
    const headers = new Headers({ 'content-type': 'text/html; charset=utf-8', vary: 'Accept, Accept-Language, Cookie' });
    const coin = hashUnit(this.options.seed, Math.floor(request.atMs), request.objectId);
    if (credentials !== null) {
      const bytes = Math.round(baseBytes * 1.5);
      headers.set('cache-control', 'max-age=0, private, must-revalidate');
      headers.set('content-length', String(bytes));
      if (coin < SIGNED_IN_SET_COOKIE_SHARE)
        headers.set('set-cookie', `_mastodon_session=${coin.toString(36).slice(2)}; path=/; secure; HttpOnly; SameSite=Lax`);
      return { status: 200, headers, bytes, owner: credentials, representation: 'html', version, variant: `html:${credentials}` };
    }
    const maxAge = request.resource === 'status' ? 10 : 15;
    headers.set('cache-control', `max-age=${maxAge}, public`);
    headers.set('content-length', String(baseBytes));
    headers.set('etag', `W/"${family}-${request.objectId}-${version}-${locale}"`);
    const setsCookie = coin < ANONYMOUS_SET_COOKIE_SHARE;
    if (setsCookie) headers.set('set-cookie', `_mastodon_session=${coin.toString(36).slice(2)}; path=/; secure; HttpOnly; SameSite=Lax`);
    return {
      status: 200,
      headers,
      bytes: baseBytes,
      owner: setsCookie ? request.client : null,
      representation: 'html',
      version,
      variant: `html:${locale}`,
    };
  }

  private error(status: number, headers: Record<string, string>, variant: string): OriginAnswer {
    return {
      status,
      headers: new Headers({ ...headers, 'content-length': '120' }),
      bytes: 120,
      owner: null,
      representation: 'error',
      version: 0,
      variant: `error:${variant}`,
    };
  }
}
