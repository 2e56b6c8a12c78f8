// A purge URL comes from an API caller and becomes part of a Fastly API path
// (POST /purge/<host><path>). Unchecked, `https://x/../../service/<id>/purge_all` reached another
// service's purge_all. So only http(s) URLs of the service's own hosts are accepted, and the
// cached URL is rebuilt from the parsed parts with every path segment encoded.

export type PurgeTarget = { ok: true; host: string; cachedUrl: string } | { ok: false; reason: string };

/** Characters a path segment may carry unencoded (RFC 3986 pchar) that encodeURIComponent encodes. */
const PCHAR_KEPT = /%(40|3A|24|26|2B|2C|3B|3D)/gi;

/**
 * Encodes one path segment as it was meant: decoded once (if it can be), then encoded, keeping
 * what a segment may hold as is (`@` of `/@alice` stays, so the URL matches the cached one).
 */
function segment(raw: string): string {
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: encode it as written.
  }
  return encodeURIComponent(decoded).replace(PCHAR_KEPT, (sequence) => decodeURIComponent(sequence));
}

/** The cached URL to purge (`host/path?query`, no scheme), or why `url` cannot be purged on a service with `hosts`. */
export function purgeTarget(url: string, hosts: readonly string[]): PurgeTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `"${url}" is not a URL` };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, reason: `only http(s) URLs can be purged, not ${parsed.protocol}` };
  if (parsed.username !== '' || parsed.password !== '') return { ok: false, reason: 'a purge URL carries no user name or password' };
  if (parsed.port !== '') return { ok: false, reason: `a purge URL has no port (got ${parsed.port})` };
  if (!hosts.includes(parsed.hostname)) {
    const known = hosts.length > 0 ? hosts.join(', ') : 'none yet';
    return { ok: false, reason: `${parsed.hostname} is not a host of this service (its hosts: ${known})` };
  }
  // The URL parser has already resolved "." and ".." segments (also when percent-encoded).
  const path = parsed.pathname.split('/').map(segment).join('/');
  return { ok: true, host: parsed.hostname, cachedUrl: `${parsed.hostname}${path}${parsed.search}` };
}
