import { createMiddleware } from 'hono/factory';
import type { SimEnv } from './env';
import { fastlyError } from './errors';
import type { SimState } from './state';

/** `Fastly-Key` must name a live token: 401 otherwise, as Fastly answers. */
export function requireToken(state: SimState) {
  return createMiddleware<SimEnv>(async (c, next) => {
    const token = c.req.header('fastly-key');
    const account = token ? state.accountByToken(token) : undefined;
    if (!account) throw fastlyError(401, 'Provided credentials are missing or invalid');
    c.set('account', account);
    await next();
  });
}
