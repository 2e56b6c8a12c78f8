import { getConnInfo } from '@hono/node-server/conninfo';
import { varyHeaders } from '../freshness';
import type { CacheMode, EdgeLogEntry, EdgePlatform, OriginResult } from '../platform';
import type { Origin } from '../policy';
import { cachedResponse, type CacheLookup, type EdgeCache } from './cache';
import type { OriginFetcher } from './origin-fetcher';
import { rangeResponse } from './range';

// The platform under Node: Fastly's readthrough cache played by EdgeCache, origins reached by
// an injected fetcher (HTTP for `edge serve`, a function for in-process replays).

export interface LocalPlatformOptions {
  fetchOrigin: OriginFetcher;
  cache: EdgeCache;
  readConfig(key: string): Promise<string | null>;
  log?(entry: EdgeLogEntry): void;
  handoffWebsocket?: EdgePlatform['handoffWebsocket'];
}

export interface LocalPlatform extends EdgePlatform {
  /** Resolves when background revalidations started so far have finished. */
  settled(): Promise<void>;
}

type CacheRequest = Extract<CacheMode, { mode: 'cache' }>;

export function createLocalPlatform(options: LocalPlatformOptions): LocalPlatform {
  const { cache, fetchOrigin } = options;
  const revalidations = new Set<Promise<void>>();

  function serve(lookup: CacheLookup, request: Request, stale: boolean): OriginResult {
    const full = cachedResponse(lookup, request.method);
    const range = request.headers.get('range');
    const response = range && request.method === 'GET' ? rangeResponse(full, lookup.object.body, range) : full;
    return { response, cached: true, stale };
  }

  async function storeIfAllowed(request: Request, response: Response, mode: CacheRequest): Promise<Response> {
    // HEAD answers and partial answers never fill the cache.
    if (request.method !== 'GET' || request.headers.has('range')) return response;
    const storage = mode.decideStorage(response);
    if (!storage.store || storage.ttl === null) return response;
    const body = new Uint8Array(await response.arrayBuffer());
    cache.store(mode.key, {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body,
      storedAt: cache.now(),
      ttl: storage.ttl,
      swr: storage.swr,
      sie: storage.sie,
      surrogateKeys: storage.surrogateKeys,
      vary: varyHeaders(response.headers).map((name) => [name, request.headers.get(name)]),
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  function revalidate(origin: Origin, request: Request, mode: CacheRequest): void {
    const headers = new Headers(request.headers);
    headers.delete('range');
    const refresh = new Request(request.url, { method: 'GET', headers });
    const task = fetchOrigin(origin, refresh)
      .then((response) => storeIfAllowed(refresh, response, mode))
      .then((response) => response.body?.cancel())
      // A failed refresh leaves the stale object in place, as Fastly does.
      .catch(() => undefined)
      .finally(() => revalidations.delete(task));
    revalidations.add(task);
  }

  return {
    async fetchOrigin({ origin, request, cache: mode }) {
      if (mode.mode === 'pass') return { response: await fetchOrigin(origin, request), cached: false, stale: false };
      const lookup = cache.lookup(mode.key, request.headers);
      if (lookup && lookup.state !== 'error-only') {
        if (lookup.state === 'revalidate') revalidate(origin, request, mode);
        return serve(lookup, request, lookup.state === 'revalidate');
      }
      let response: Response;
      try {
        response = await fetchOrigin(origin, request);
      } catch (error) {
        if (lookup) return serve(lookup, request, true);
        throw error;
      }
      if (lookup && response.status >= 500) {
        await response.body?.cancel();
        return serve(lookup, request, true);
      }
      return { response: await storeIfAllowed(request, response, mode), cached: false, stale: false };
    },
    readConfig: (key) => options.readConfig(key),
    handoffWebsocket:
      options.handoffWebsocket ??
      (async () => new Response('WebSocket handoff is not available on this local edge.\n', { status: 501 })),
    clientAddress(c) {
      try {
        return getConnInfo(c).remote.address ?? null;
      } catch {
        return null;
      }
    },
    log: (entry) => options.log?.(entry),
    now: () => cache.now(),
    async settled() {
      while (revalidations.size > 0) await Promise.all([...revalidations]);
    },
  };
}
