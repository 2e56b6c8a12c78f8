import { z } from 'zod';
import { type Clock, systemClock } from '../../src/clock';
import { normalisePath } from '../path';
import { objectSurrogateKey } from '../policy';
import type { EdgeCache } from './cache';

// Purges sent through the control plane reach Fastly's caches; the local edge plays those caches,
// so it follows the simulator's purge log (GET /__sim/purges). The real Fastly API has no such
// log: against it the feed finds nothing to follow and stays quiet.

const SimPurge = z.object({ kind: z.enum(['url', 'key', 'all']), target: z.string() });
type SimPurge = z.infer<typeof SimPurge>;
const PurgeLog = z.object({ purges: z.array(SimPurge), next: z.number().int().min(0) });

export interface PurgeFeedOptions {
  /** Base URL of the simulator. */
  apiUrl: string;
  cache: EdgeCache;
  /** How often the log is read at most. Default 1 s, like the Config Store. */
  refreshMs?: number;
  clock?: Clock;
}

/** Applies one purge to the local cache. A URL purge drops the object's variants (its surrogate key `host + path`). */
function applyPurge(cache: EdgeCache, purge: SimPurge): void {
  if (purge.kind === 'all') {
    cache.purgeAll();
    return;
  }
  if (purge.kind === 'key') {
    cache.purgeSurrogateKey(purge.target);
    return;
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(purge.target) ? purge.target : `https://${purge.target}`);
  } catch {
    return;
  }
  const key = objectSurrogateKey(url.hostname.toLowerCase(), normalisePath(url.pathname).path);
  if (key) cache.purgeSurrogateKey(key);
}

/** `sync()` reads purges logged since the last read (at most every `refreshMs`) and applies them. */
export function simPurgeFeed(options: PurgeFeedOptions): { sync(): Promise<void> } {
  const clock = options.clock ?? systemClock;
  const refreshMs = options.refreshMs ?? 1_000;
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  let next = 0;
  let readAt: number | null = null;
  let following = true;
  let reading: Promise<void> | null = null;

  async function read(): Promise<void> {
    const response = await fetch(`${apiUrl}/__sim/purges?since=${next}`, { headers: { accept: 'application/json' } });
    if (response.status === 404) {
      following = false;
      await response.body?.cancel();
      return;
    }
    if (!response.ok) {
      await response.body?.cancel();
      return;
    }
    const log = PurgeLog.safeParse(await response.json().catch(() => undefined));
    if (!log.success) return;
    for (const purge of log.data.purges) applyPurge(options.cache, purge);
    next = log.data.next;
  }

  return {
    async sync() {
      if (!following || (readAt !== null && clock.now() - readAt < refreshMs)) return;
      reading ??= read()
        // An unreachable simulator must not stop the edge: the next request tries again.
        .catch(() => undefined)
        .finally(() => {
          readAt = clock.now();
          reading = null;
        });
      await reading;
    },
  };
}
