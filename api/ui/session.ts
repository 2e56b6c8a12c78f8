import { randomBytes } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { EdgeplaneError } from '../../src/errors';
import { bearerToken, tokenVerifier } from '../auth';
import { problemResponse } from '../problem';

// Browser sessions of the operator page: the login form takes an API token and sets an HttpOnly,
// SameSite=Strict cookie naming a session kept in this process (a restart logs everyone out).
// A request that is authenticated by the cookie and changes something must also carry the
// session's CSRF token in `x-csrf-token`; bearer requests need none (no browser sends them by itself).

const SESSION_COOKIE = 'edgeplane_session';
const CSRF_HEADER = 'x-csrf-token';
const SESSION_TTL_MS = 12 * 60 * 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Session {
  csrf: string;
  expiresAt: number;
}

export class Sessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  create(): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const session = { csrf: randomBytes(24).toString('base64url'), expiresAt: this.now() + SESSION_TTL_MS };
    this.sessions.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): Session | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }
}

/** The session of the request's cookie, if it is a live one. */
export const sessionOf = (c: Context, sessions: Sessions) => sessions.get(getCookie(c, SESSION_COOKIE));

export function startSession(c: Context, sessions: Sessions): Session {
  const { id, session } = sessions.create();
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: SESSION_TTL_MS / 1000,
  });
  return session;
}

export function endSession(c: Context, sessions: Sessions): void {
  sessions.delete(getCookie(c, SESSION_COOKIE));
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/**
 * A bearer token or a browser session. A browser asking for a page without either is sent to
 * the login form; anything else gets a 401 problem.
 */
export function requireBearerOrSession(tokens: readonly string[], sessions: Sessions): MiddlewareHandler {
  const verify = tokenVerifier(tokens);
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (token !== undefined) {
      if (!token) return problemResponse(c, new EdgeplaneError('unauthorized', 'send Authorization: Bearer <token> (EDGEPLANE_API_TOKEN)'));
      if (!verify(token)) return problemResponse(c, new EdgeplaneError('unauthorized', 'the bearer token is not valid'));
      return next();
    }
    const session = sessionOf(c, sessions);
    if (session) {
      if (!SAFE_METHODS.has(c.req.method) && c.req.header(CSRF_HEADER) !== session.csrf) {
        return problemResponse(
          c,
          new EdgeplaneError('unauthorized', `a change made in a browser session needs the page's ${CSRF_HEADER} header`, { status: 403 }),
        );
      }
      return next();
    }
    if (c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html')) return c.redirect(`/ui?next=${encodeURIComponent(c.req.path)}`, 303);
    return problemResponse(c, new EdgeplaneError('unauthorized', 'send Authorization: Bearer <token> (EDGEPLANE_API_TOKEN), or log in at /ui'));
  };
}
