// One normal form for a request path, computed once before routing, so that every spelling of a
// path reaches the same route, cache key and origin URL (RFC 3986 sections 5.2.4 and 6.2.2;
// docs/mastodon-edge-policy.md, "Always").

const UNRESERVED = /[A-Za-z0-9\-._~]/;

export interface NormalisedPath {
  /** Unreserved escapes decoded, other escapes upper-cased, `//` collapsed, dot-segments resolved. */
  path: string;
  /** Lower-case copy for matching routes: a case-insensitive file store must not reach a private route by case. */
  routingPath: string;
  /** The path still holds an escaped `/`, `\` or NUL, which an origin may decode into structure. */
  opaque: boolean;
}

function decodeUnreserved(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_sequence, hex: string) => {
    const character = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
}

/** RFC 3986 5.2.4 on an absolute path whose `//` runs are already collapsed. */
function removeDotSegments(path: string): string {
  const output: string[] = [];
  const segments = path.split('/').slice(1);
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') output.pop();
      // `/a/b/..` names the directory `/a/`: keep the trailing slash.
      if (last) output.push('');
      continue;
    }
    output.push(segment);
  }
  return `/${output.join('/')}`;
}

/** The normal form of a request path (without the query). Never starts with `//`, so it can never name a host. */
export function normalisePath(rawPath: string): NormalisedPath {
  const absolute = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  // Most paths are already normal: no escape, no `//`, no segment starting with a dot.
  if (!absolute.includes('%') && !absolute.includes('//') && !absolute.includes('/.')) {
    return { path: absolute, routingPath: absolute.toLowerCase(), opaque: false };
  }
  const decoded = decodeUnreserved(absolute).replace(/\/{2,}/g, '/');
  const path = removeDotSegments(decoded);
  return { path, routingPath: path.toLowerCase(), opaque: /%(2F|5C|00)/.test(path) };
}
