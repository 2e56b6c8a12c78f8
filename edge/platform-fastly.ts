import { CacheOverride } from 'fastly:cache-override';
import { ConfigStore } from 'fastly:config-store';
import { createWebsocketHandoff } from 'fastly:websocket';
import type { Context } from 'hono';
import type { EdgePlatform } from './platform';

// The platform on Fastly Compute: static backends by name, the readthrough cache steered per
// response by the policy (afterSend needs js-compute-runtime --enable-http-cache), the Config Store.

export function createFastlyPlatform(configStoreLinkName: string): EdgePlatform {
  let store: ConfigStore | null = null;
  return {
    async fetchOrigin({ backend, request, cache }) {
      if (cache.mode === 'pass') {
        const response = await fetch(request, { backend, cacheOverride: new CacheOverride('pass') });
        return { response, cached: false, stale: false };
      }
      const cacheOverride = new CacheOverride({
        afterSend(response) {
          const storage = cache.decideStorage(response);
          // 'uncacheable' also stops request collapsing: waiting clients never share a private answer.
          if (!storage.store || storage.ttl === null) return { cache: 'uncacheable' };
          response.ttl = storage.ttl;
          response.swr = storage.swr;
          // storage.sie has nowhere to go: js-compute's candidate response has no stale-if-error field.
          response.surrogateKeys = storage.surrogateKeys;
          response.vary = storage.vary;
          return { cache: true };
        },
      });
      const response = await fetch(request, { backend, cacheOverride, cacheKey: cache.key });
      return { response, cached: response.cached === true, stale: response.stale === true };
    },
    async readConfig(key) {
      store ??= new ConfigStore(configStoreLinkName);
      return store.get(key);
    },
    async handoffWebsocket(request, headers, _origin, backend) {
      // The handoff sends the client request's own headers: make them the forward headers.
      for (const name of [...request.headers.keys()]) if (!headers.has(name)) request.headers.delete(name);
      headers.forEach((value, name) => {
        request.headers.set(name, value);
      });
      return createWebsocketHandoff(request, backend);
    },
    clientAddress(c: Context) {
      try {
        return (c.executionCtx as unknown as FetchEvent).client.address;
      } catch {
        return null;
      }
    },
    log(entry) {
      console.log(JSON.stringify(entry));
    },
    now: () => Date.now(),
  };
}
