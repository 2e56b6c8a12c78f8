import type { RateLimitState } from './gateway';

/** Response headers with lower-case names, as superagent and fetch give them. */
export type ResponseHeaders = Record<string, string>;

function headerNumber(headers: ResponseHeaders, name: string): number | null {
  const raw = headers[name]?.trim();
  if (raw === undefined || raw === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

/**
 * Fastly-RateLimit-Remaining and Fastly-RateLimit-Reset (epoch seconds) of one response; each is
 * null when the response did not carry it (Fastly sends them on writes only).
 */
export function readRateLimit(headers: ResponseHeaders): RateLimitState {
  const remaining = headerNumber(headers, 'fastly-ratelimit-remaining');
  const reset = headerNumber(headers, 'fastly-ratelimit-reset');
  return { remaining, resetAt: reset === null ? null : new Date(reset * 1000) };
}

/** When a 429 ends: Fastly-RateLimit-Reset, else Retry-After (seconds), else unknown. */
export function rateLimitResetAt(headers: ResponseHeaders, now: number): Date | undefined {
  const { resetAt } = readRateLimit(headers);
  if (resetAt) return resetAt;
  const retryAfter = headerNumber(headers, 'retry-after');
  return retryAfter === null ? undefined : new Date(now + retryAfter * 1000);
}
