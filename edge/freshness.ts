// Fastly's documented default freshness rules, as one pure function the policy, the local
// edge and the benchmarks share. Source: Fastly "Cache freshness and TTLs" (see docs/fastly-facts.md, "Compute").

/** Statuses Fastly caches by default; anything else is passed unless the edge says otherwise. */
export const CACHEABLE_STATUSES: ReadonlySet<number> = new Set([200, 203, 300, 301, 302, 404, 410]);

/** Fastly's TTL when the origin gives no freshness lifetime. */
export const DEFAULT_TTL_SECONDS = 120;

export type FreshnessSource = 'surrogate-control' | 's-maxage' | 'max-age' | 'expires' | 'default';

export interface Freshness {
  /** Seconds the object stays fresh from now (never negative). */
  ttl: number;
  /** True when the origin stated a lifetime; false when Fastly's 2-minute default applies. */
  explicit: boolean;
  source: FreshnessSource;
  /** stale-while-revalidate seconds, 0 when absent. */
  swr: number;
  /** stale-if-error seconds, 0 when absent. */
  sie: number;
}

/** Directives of a Cache-Control-like header, lower-cased; valueless directives map to ''. */
export function parseDirectives(value: string | null): Map<string, string> {
  const directives = new Map<string, string>();
  if (!value) return directives;
  for (const part of value.split(',')) {
    const equals = part.indexOf('=');
    const name = (equals === -1 ? part : part.slice(0, equals)).trim().toLowerCase();
    if (!name) continue;
    const raw = equals === -1 ? '' : part.slice(equals + 1).trim();
    directives.set(name, raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
  }
  return directives;
}

function seconds(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/** Header names listed in Vary, lower-cased. */
export function varyHeaders(headers: Headers): string[] {
  return (headers.get('vary') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
}

/**
 * How long Fastly would keep a response by default: Surrogate-Control max-age, else Cache-Control
 * s-maxage, else max-age, else Expires (relative to Date), else 2 minutes. Age is subtracted from
 * the max-age forms, as a shared cache must.
 */
export function originFreshness(headers: Headers, nowMs: number): Freshness {
  return freshnessOf(headers, parseDirectives(headers.get('surrogate-control')), parseDirectives(headers.get('cache-control')), nowMs);
}

/** originFreshness with Surrogate-Control and Cache-Control already parsed (the policy has them). */
export function freshnessOf(headers: Headers, surrogate: Map<string, string>, cacheControl: Map<string, string>, nowMs: number): Freshness {
  const age = seconds(headers.get('age') ?? undefined) ?? 0;
  const staleness = (name: string) => seconds(surrogate.get(name)) ?? seconds(cacheControl.get(name)) ?? 0;
  const swr = staleness('stale-while-revalidate');
  const sie = staleness('stale-if-error');
  const fromMaxAge = (value: number, source: FreshnessSource): Freshness => ({
    ttl: Math.max(0, value - age),
    explicit: true,
    source,
    swr,
    sie,
  });

  const surrogateMaxAge = seconds(surrogate.get('max-age'));
  if (surrogateMaxAge !== null) return fromMaxAge(surrogateMaxAge, 'surrogate-control');
  const sMaxAge = seconds(cacheControl.get('s-maxage'));
  if (sMaxAge !== null) return fromMaxAge(sMaxAge, 's-maxage');
  const maxAge = seconds(cacheControl.get('max-age'));
  if (maxAge !== null) return fromMaxAge(maxAge, 'max-age');

  const expires = headers.get('expires');
  if (expires !== null) {
    const expiresAt = Date.parse(expires);
    const date = Date.parse(headers.get('date') ?? '');
    const base = Number.isNaN(date) ? nowMs : date;
    // An unparsable Expires means "already expired" (RFC 9111 5.3).
    const ttl = Number.isNaN(expiresAt) ? 0 : Math.max(0, Math.floor((expiresAt - base) / 1000));
    return { ttl, explicit: true, source: 'expires', swr, sie };
  }
  return { ttl: DEFAULT_TTL_SECONDS, explicit: false, source: 'default', swr, sie };
}
