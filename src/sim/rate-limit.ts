import { createMiddleware } from 'hono/factory';
import type { SimEnv } from './env';
import type { SimState } from './state';

const HOUR_MS = 60 * 60 * 1000;

// URL and surrogate-key purges are not limited; purge_all is (docs/fastly-facts.md, "Rate limits and authentication").
const UNLIMITED = [/^\/purge\//, /^\/service\/[^/]+\/purge(\/|$)/];
// Writes to these answered without rate-limit headers in go-fastly's recordings (whether they count is unverified: here they do).
const WITHOUT_HEADERS = [/^\/tls\//, /^\/domain-management\//, /^\/resources\/stores\//];

/** Fastly's text for an exhausted write limit (terraform-provider-fastly 313, fastly/cli 1836). */
export const RATE_LIMIT_MESSAGE = 'You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.';

const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD';

/**
 * The write limit: N non-GET requests per hour per user (one user per account here), shared by all
 * of the user's tokens. Every counted write, refused ones too, carries Fastly-RateLimit-Remaining
 * and Fastly-RateLimit-Reset (epoch seconds), except TLS, Domain Management and config store
 * writes; past the limit the answer is 429.
 */
export function writeRateLimit(state: SimState) {
  return createMiddleware<SimEnv>(async (c, next) => {
    if (!isWrite(c.req.method) || UNLIMITED.some((pattern) => pattern.test(c.req.path))) return next();
    const customerId = c.get('account').customerId;
    const now = state.now();
    let window = state.writeWindows.get(customerId);
    if (!window || now >= window.start + HOUR_MS) {
      window = { start: now, count: 0 };
      state.writeWindows.set(customerId, window);
    }
    const limit = state.config.writeLimitPerHour;
    const reset = String(Math.ceil((window.start + HOUR_MS) / 1000));
    const withHeaders = !WITHOUT_HEADERS.some((pattern) => pattern.test(c.req.path));
    if (window.count >= limit) {
      return c.json({ msg: RATE_LIMIT_MESSAGE }, 429, withHeaders ? { 'Fastly-RateLimit-Remaining': '0', 'Fastly-RateLimit-Reset': reset } : {});
    }
    window.count += 1;
    await next();
    if (!withHeaders) return;
    c.res.headers.set('Fastly-RateLimit-Remaining', String(limit - window.count));
    c.res.headers.set('Fastly-RateLimit-Reset', reset);
  });
}
