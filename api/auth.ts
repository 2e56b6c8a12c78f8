import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { EdgeplaneError } from '../src/errors';
import { problemResponse } from './problem';

// Bearer tokens are compared as SHA-256 digests with timingSafeEqual: equal lengths, constant time,
// and every configured token is checked so the time does not tell which one was close.

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function bearerAuth(tokens: readonly string[]): MiddlewareHandler {
  if (tokens.length === 0) throw new EdgeplaneError('invalid_input', 'the API needs at least one bearer token');
  const accepted = tokens.map(digest);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) {
      return problemResponse(c, new EdgeplaneError('unauthorized', 'send Authorization: Bearer <token> (EDGEPLANE_API_TOKEN)'));
    }
    const presented = digest(match[1]!);
    let ok = false;
    for (const candidate of accepted) ok = timingSafeEqual(candidate, presented) || ok;
    if (!ok) return problemResponse(c, new EdgeplaneError('unauthorized', 'the bearer token is not valid'));
    await next();
  };
}
