import { getConnInfo } from '@hono/node-server/conninfo';
import type { CacheMode, EdgeLogEntry, EdgePlatform, OriginResult } from '../platform';
import type { Origin } from '../policy';
import { type CacheLookup, cachedResponse, type EdgeCache } from './cache';
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

  /**
   * Streams the origin's answer to the client while keeping a copy, stored once the body is
   * complete. An answer declared, or found, bigger than the cache's object cap is streamed
   * through without being held: memory stays bounded whatever the object's size.
   */
  function storeWhileStreaming(request: Request, response: Response, mode: CacheRequest): Response {
    // HEAD answers and partial answers never fill the cache.
    if (request.method !== 'GET' || request.headers.has('range')) return response;
    const storage = mode.decideStorage(response);
    if (!storage.store || storage.ttl === null) return response;
    const vary = storage.vary.map((name): [string, string | null] => [name, request.headers.get(name)]);
    const keep = (body: Uint8Array<ArrayBuffer>) =>
      cache.store(mode.key, {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers],
        body,
        storedAt: cache.now(),
        ttl: storage.ttl!,
        swr: storage.swr,
        sie: storage.sie,
        surrogateKeys: storage.surrogateKeys,
        vary,
      });
    if (response.body === null) {
      keep(new Uint8Array(0));
      return response;
    }
    if (Number(response.headers.get('content-length')) > cache.maxObjectBytes) return response;
    let chunks: Uint8Array[] | null = [];
    let size = 0;
    const copy = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (chunks !== null) {
          size += chunk.byteLength;
          if (size > cache.maxObjectBytes) chunks = null;
          else chunks.push(chunk);
        }
        controller.enqueue(chunk);
      },
      flush() {
        if (chunks === null) return;
        const body = new Uint8Array(size);
        let offset = 0;
        for (const chunk of chunks) {
          body.set(chunk, offset);
          offset += chunk.byteLength;
        }
        chunks = null;
        keep(body);
      },
    });
    return new Response(response.body.pipeThrough(copy), { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  /** Reads a body to its end without keeping it (a background refresh has no client). */
  async function drain(response: Response): Promise<void> {
    const reader = response.body?.getReader();
    if (!reader) return;
    while (!(await reader.read()).done);
  }

  function revalidate(origin: Origin, request: Request, mode: CacheRequest): void {
    const headers = new Headers(request.headers);
    headers.delete('range');
    const refresh = new Request(request.url, { method: 'GET', headers });
    const task = fetchOrigin(origin, refresh)
      .then((response) => drain(storeWhileStreaming(refresh, response, mode)))
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
      return { response: storeWhileStreaming(request, response, mode), cached: false, stale: false };
    },
    readConfig: (key) => options.readConfig(key),
    handoffWebsocket: options.handoffWebsocket ?? (async () => new Response('WebSocket handoff is not available on this local edge.\n', { status: 501 })),
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
