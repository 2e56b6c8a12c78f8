import { type Clock, systemClock } from '../../src/clock';
import { EdgeplaneError } from '../../src/errors';

// An in-memory HTTP cache with Fastly's semantics as the policy hands them over: a TTL,
// stale-while-revalidate and stale-if-error windows, several Vary variants per key, surrogate
// keys. The clock is injectable so replays and tests move time by hand.

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
  /** Largest body stored; bigger responses are streamed through and never held. Default a quarter of `maxBytes`. */
  maxObjectBytes?: number;
  /** Variants kept per cache key before the oldest goes. Default `DEFAULT_MAX_VARIANTS`. */
  maxVariants?: number;
}

/**
 * Fastly keeps one variant per distinct set of varied request-header values under a cache key,
 * and bounds how many; this local cache keeps at most 50, dropping the oldest first.
 */
export const DEFAULT_MAX_VARIANTS = 50;

interface Variant {
  key: string;
  object: CachedObject;
}

// Header values compare after trimming; a header the request lacks matches only a recorded absence.
function normalised(value: string | null): string | null {
  return value === null ? null : value.trim();
}

function matches(object: CachedObject, requestHeaders: Headers): boolean {
  return object.vary.every(([name, value]) => normalised(requestHeaders.get(name)) === normalised(value));
}

/** True when every request `newer` would answer, `older` would answer too: `older` can never be served again. */
function shadows(newer: CachedObject, older: CachedObject): boolean {
  const recorded = new Map(older.vary.map(([name, value]) => [name.toLowerCase(), normalised(value)]));
  return newer.vary.every(([name, value]) => recorded.get(name.toLowerCase()) === normalised(value));
}

export class EdgeCache {
  /** Each key's variants, oldest stored first. */
  private readonly variants = new Map<string, Variant[]>();
  /** Every variant, least recently used first. */
  private readonly recency = new Set<Variant>();
  private readonly clock: Clock;
  private readonly maxBytes: number;
  readonly maxObjectBytes: number;
  private readonly maxVariants: number;
  private bytes = 0;

  constructor(options: EdgeCacheOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.maxObjectBytes = Math.min(options.maxObjectBytes ?? Math.floor(this.maxBytes / 4), this.maxBytes);
    this.maxVariants = options.maxVariants ?? DEFAULT_MAX_VARIANTS;
    if (!Number.isInteger(this.maxVariants) || this.maxVariants < 1) {
      throw new EdgeplaneError('invalid_input', `maxVariants must be a positive integer, got ${this.maxVariants}`);
    }
  }

  /** Stored variants, over all keys. */
  get size(): number {
    return this.recency.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** The newest variant under the key whose recorded Vary values match the request's. */
  lookup(key: string, requestHeaders: Headers): CacheLookup | null {
    const variants = this.variants.get(key) ?? [];
    for (const variant of [...variants].reverse()) {
      if (!matches(variant.object, requestHeaders)) continue;
      const { object } = variant;
      const ageSeconds = Math.max(0, (this.clock.now() - object.storedAt) / 1000);
      let state: CachedState;
      if (ageSeconds < object.ttl) state = 'fresh';
      else if (ageSeconds < object.ttl + object.swr) state = 'revalidate';
      else if (ageSeconds < object.ttl + object.sie) state = 'error-only';
      else {
        this.drop(variant);
        continue;
      }
      // Least recently used order: a hit moves the variant to the end.
      this.recency.delete(variant);
      this.recency.add(variant);
      return { object, state, ageSeconds };
    }
    return null;
  }

  /** Adds the object as a variant of the key, replacing the variants it makes unreachable; false (nothing kept) when it is over `maxObjectBytes`. */
  store(key: string, object: CachedObject): boolean {
    if (object.body.byteLength > this.maxObjectBytes) return false;
    const kept = (this.variants.get(key) ?? []).filter((variant) => {
      if (!shadows(object, variant.object)) return true;
      this.forget(variant);
      return false;
    });
    const added: Variant = { key, object };
    kept.push(added);
    while (kept.length > this.maxVariants) this.forget(kept.shift()!);
    this.variants.set(key, kept);
    this.recency.add(added);
    this.bytes += object.body.byteLength;
    for (const oldest of this.recency) {
      if (this.bytes <= this.maxBytes || oldest === added) break;
      this.drop(oldest);
    }
    return true;
  }

  /** Drop every variant tagged with the surrogate key; returns how many. */
  purgeSurrogateKey(surrogateKey: string): number {
    const tagged = [...this.recency].filter((variant) => variant.object.surrogateKeys.includes(surrogateKey));
    for (const variant of tagged) this.drop(variant);
    return tagged.length;
  }

  purgeAll(): void {
    this.variants.clear();
    this.recency.clear();
    this.bytes = 0;
  }

  now(): number {
    return this.clock.now();
  }

  private drop(variant: Variant): void {
    this.forget(variant);
    const rest = (this.variants.get(variant.key) ?? []).filter((other) => other !== variant);
    if (rest.length > 0) this.variants.set(variant.key, rest);
    else this.variants.delete(variant.key);
  }

  /** Takes the variant out of the recency order and byte count; the caller fixes the key's list. */
  private forget(variant: Variant): void {
    if (!this.recency.delete(variant)) return;
    this.bytes -= variant.object.body.byteLength;
  }
}

/** The stored object as a response, with its Age. */
export function cachedResponse(lookup: CacheLookup, method: string): Response {
  const { object } = lookup;
  const headers = new Headers(object.headers);
  headers.set('age', String(Math.floor(lookup.ageSeconds)));
  return new Response(method === 'HEAD' ? null : object.body, { status: object.status, statusText: object.statusText, headers });
}
