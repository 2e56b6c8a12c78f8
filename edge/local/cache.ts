import { systemClock, type Clock } from '../../src/clock';

// An in-memory HTTP cache with Fastly's semantics as the policy hands them over: a TTL,
// stale-while-revalidate and stale-if-error windows, Vary, surrogate keys. The clock is
// injectable so replays and tests move time by hand.

export interface CachedObject {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer>;
  /** Milliseconds since the epoch. */
  storedAt: number;
  ttl: number;
  swr: number;
  sie: number;
  surrogateKeys: string[];
  /** The request headers the response varies on, with the values they had when stored. */
  vary: [string, string | null][];
}

/** `fresh`: serve. `revalidate`: serve and refresh in the background. `error-only`: only if the origin fails. */
export type CachedState = 'fresh' | 'revalidate' | 'error-only';

export interface CacheLookup {
  object: CachedObject;
  state: CachedState;
  ageSeconds: number;
}

export interface EdgeCacheOptions {
  clock?: Clock;
  /** Body bytes kept before the least recently used objects go. Default 256 MiB. */
  maxBytes?: number;
}

export class EdgeCache {
  private readonly objects = new Map<string, CachedObject>();
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private bytes = 0;

  constructor(options: EdgeCacheOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  get size(): number {
    return this.objects.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  lookup(key: string, requestHeaders: Headers): CacheLookup | null {
    const object = this.objects.get(key);
    if (!object) return null;
    if (!object.vary.every(([name, value]) => requestHeaders.get(name) === value)) return null;
    const ageSeconds = Math.max(0, (this.clock.now() - object.storedAt) / 1000);
    let state: CachedState;
    if (ageSeconds < object.ttl) state = 'fresh';
    else if (ageSeconds < object.ttl + object.swr) state = 'revalidate';
    else if (ageSeconds < object.ttl + object.sie) state = 'error-only';
    else {
      this.remove(key);
      return null;
    }
    // Least recently used order: a hit moves the object to the end.
    this.objects.delete(key);
    this.objects.set(key, object);
    return { object, state, ageSeconds };
  }

  store(key: string, object: CachedObject): void {
    this.remove(key);
    this.objects.set(key, object);
    this.bytes += object.body.byteLength;
    for (const oldest of this.objects.keys()) {
      if (this.bytes <= this.maxBytes || oldest === key) break;
      this.remove(oldest);
    }
  }

  remove(key: string): void {
    const object = this.objects.get(key);
    if (!object) return;
    this.bytes -= object.body.byteLength;
    this.objects.delete(key);
  }

  /** Drop every object tagged with the surrogate key; returns how many. */
  purgeSurrogateKey(surrogateKey: string): number {
    const keys = [...this.objects].filter(([, object]) => object.surrogateKeys.includes(surrogateKey)).map(([key]) => key);
    for (const key of keys) this.remove(key);
    return keys.length;
  }

  purgeAll(): void {
    this.objects.clear();
    this.bytes = 0;
  }

  now(): number {
    return this.clock.now();
  }
}

/** The stored object as a response, with its Age. */
export function cachedResponse(lookup: CacheLookup, method: string): Response {
  const { object } = lookup;
  const headers = new Headers(object.headers);
  headers.set('age', String(Math.floor(lookup.ageSeconds)));
  return new Response(method === 'HEAD' ? null : object.body, { status: object.status, statusText: object.statusText, headers });
}
