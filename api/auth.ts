import { hash, timingSafeEqual } from 'node:crypto';
import { EdgeplaneError } from '../src/errors';

// Bearer tokens are compared as SHA-256 digests with timingSafeEqual: equal lengths, constant time,
// and every configured token is checked so the time does not tell which one was close.

const digest = (value: string) => hash('sha256', value, 'buffer');

/** True when `presented` is one of `tokens` (also what the browser login form checks). */
export function tokenVerifier(tokens: readonly string[]): (presented: string) => boolean {
  if (tokens.length === 0) throw new EdgeplaneError('invalid_input', 'the API needs at least one bearer token');
  const accepted = tokens.map(digest);
  // Tokens already verified skip the digest; only accepted tokens are kept (so at most as many as
  // configured), and a set lookup compares no prefix of a wrong token.
  const verified = new Set<string>();
  return (presented) => {
    if (verified.has(presented)) return true;
    const given = digest(presented);
    let ok = false;
    for (const candidate of accepted) ok = timingSafeEqual(candidate, given) || ok;
    if (ok) verified.add(presented);
    return ok;
  };
}

/** The bearer token of the request, undefined when it has no Authorization header. */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  return /^Bearer[ ]+(\S+)\s*$/i.exec(header)?.[1] ?? null;
}
