import { CACHEABLE_STATUSES, originFreshness, varyHeaders } from '../../edge/freshness';
import type { StorageDecision } from '../../edge/policy';
import type { OriginModel } from './origin';
import { drained, ReplayEdge } from './replay-edge';
import type { OffloadPolicy, Served } from './served';
import { STATIC_HOST } from './site';
import type { BenchRequest } from './workload';

// The comparison baseline: the caching rules of Mastodon's official Fastly module
// (mastodon/terraform-fastly-service, a VCL service), as issue 6 lists them:
// - only GET and HEAD are looked up (everything else passes); the key is host + URL, and Fastly
//   keeps one variant per value of the headers the response names in Vary;
// - the files service drops the request's Cookie;
// - fix-ups for what Rails sends without a lifetime: /sw.js 300 s; /sounds, /avatars, /emoji,
//   /shortcuts, /headers and a few root files 1 h; media (the files origin) 1 h, 404s included;
// - otherwise pass on Set-Cookie, on Cache-Control private or no-store, and when the response
//   has no explicit lifetime; keep the rest for Fastly's default lifetime from its headers.

const FIXED_TTL_PATHS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^\/sw\.js$/, 300],
  [/^\/(sounds|avatars|emoji|shortcuts|headers)\/.+/, 3600],
  [/^\/(robots\.txt|oops\.png|oops\.gif|inert\.css|favicon\.ico|embed\.js|badge\.png)$/, 3600],
];
const MEDIA_TTL = 3600;

interface AnchorStorage {
  ttl: number;
  swr: number;
}

/** vcl_fetch of the module: how long to keep an origin response, or null to pass it. */
export function anchorStorage(host: string, path: string, answer: { status: number; headers: Headers }, nowMs: number): AnchorStorage | null {
  // Fastly stores only its cacheable statuses, whatever a fix-up sets.
  if (!CACHEABLE_STATUSES.has(answer.status)) return null;
  if (host === STATIC_HOST) return { ttl: MEDIA_TTL, swr: 0 };
  const fixed = FIXED_TTL_PATHS.find(([pattern]) => pattern.test(path));
  if (fixed) return { ttl: fixed[1], swr: 0 };
  if (answer.headers.has('set-cookie')) return null;
  if (/(private|no-store)/.test(answer.headers.get('cache-control') ?? '')) return null;
  const freshness = originFreshness(answer.headers, nowMs);
  if (!freshness.explicit || freshness.ttl <= 0) return null;
  return { ttl: freshness.ttl, swr: freshness.swr };
}

/** anchorStorage as the local platform's storage step (Fastly varies on the response's own Vary). */
function storageDecision(storage: AnchorStorage | null, headers: Headers): StorageDecision {
  const clientHeaders = { set: {}, remove: [], removePrefixes: [] };
  return storage
    ? { store: true, ttl: storage.ttl, swr: storage.swr, sie: 0, surrogateKeys: [], vary: varyHeaders(headers), clientHeaders, reason: 'anchor: stored' }
    : { store: false, ttl: null, swr: 0, sie: 0, surrogateKeys: [], vary: [], clientHeaders, reason: 'anchor: passed' };
}

export class AnchorPolicy implements OffloadPolicy {
  readonly name = 'anchor';
  private readonly edge: ReplayEdge;

  constructor(origin: OriginModel) {
    this.edge = new ReplayEdge(origin);
  }

  serve(request: BenchRequest): Promise<Served> {
    const headers = new Headers(request.headers);
    const isStatic = request.host === STATIC_HOST;
    if (isStatic) headers.delete('cookie');
    const path = request.target.split('?')[0]!;
    const lookedUp = request.method === 'GET' || request.method === 'HEAD';
    const nowMs = request.atMs;
    return this.edge.serve(request, async () =>
      drained(
        await this.edge.platform.fetchOrigin({
          origin: isStatic ? 'static' : 'main',
          backend: isStatic ? 'media' : 'app',
          request: new Request(`https://${request.host}${request.target}`, { method: request.method, headers }),
          cache: lookedUp
            ? {
                mode: 'cache',
                key: `${request.host}${request.target}`,
                decideStorage: (response) => storageDecision(anchorStorage(request.host, path, response, nowMs), response.headers),
              }
            : { mode: 'pass' },
        }),
      ),
    );
  }
}
