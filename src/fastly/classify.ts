import { EdgeplaneError, type ErrorCode } from '../errors';
import type { FastlyFailure } from './failure';
import { rateLimitResetAt } from './rate-limit';

// The one place where Fastly's answers become our errors (docs/ARCHITECTURE.md, "The Fastly gateway").

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null;
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** Longest plain-text body (an HTML error page of a proxy, say) kept as the detail. */
const MAX_TEXT_DETAIL = 1000;

/**
 * Fastly's own words, verbatim, from any of its three error shapes: `{msg, detail}`, JSON:API
 * `{errors: [{title, detail, status}]}` (several joined by "; "), problem details
 * `{type, title, detail}`; a plain-text body as is. Null when the body says nothing.
 */
export function fastlyDetail(body: unknown): string | null {
  if (typeof body === 'string') return text(body) === null ? null : body.trim().slice(0, MAX_TEXT_DETAIL);
  if (!isObject(body)) return null;
  if (Array.isArray(body.errors)) {
    const parts = body.errors
      .filter(isObject)
      .map((error) => text(error.detail) ?? text(error.title))
      .filter((part): part is string => part !== null);
    if (parts.length > 0) return parts.join('; ');
  }
  return text(body.detail) ?? text(body.msg) ?? text(body.title) ?? text(body.message);
}

/** Every human text in the body, for matching: `msg` may say what `detail` does not. */
function fastlyTexts(body: unknown): string {
  if (typeof body === 'string') return body;
  if (!isObject(body)) return '';
  const errors = Array.isArray(body.errors) ? body.errors.filter(isObject) : [];
  return [body.msg, body.detail, body.title, body.message, ...errors.flatMap((error) => [error.title, error.detail])]
    .filter((part): part is string => typeof part === 'string')
    .join('\n');
}

/**
 * Answers recognised by their text. Fastly sends held domains as 400 (409 is accepted too: the
 * Domain Management API's wording and status for a held domain are not recorded) and a write to a
 * locked version as 422 "Version locked" (400 in older texts).
 */
const TEXT_RULES: ReadonlyArray<{ code: ErrorCode; statuses: readonly number[]; pattern: RegExp }> = [
  // "is taken by another customer" / "is owned by another customer" (fastly/cli matches the same substring).
  { code: 'domain_held_by_other_account', statuses: [400, 409], pattern: /by another customer/i },
  { code: 'domain_held_by_own_service', statuses: [400, 409], pattern: /already taken by service/i },
  { code: 'version_locked', statuses: [400, 409, 422], pattern: /\blocked\b/i },
];

/** A quoted name: the quote opens after a space or bracket (so not the one of "can't") and closes before one. */
const QUOTED = /(^|[\s([])(['"])[^\n]*?\2(?=$|[\s).,;:\]])/gm;

function codeFor(failure: FastlyFailure & { status: number }): ErrorCode {
  const { status, headers } = failure;
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  // Quoted names are left out of matching: a domain called 'locked.example.org' locks nothing.
  const texts = fastlyTexts(failure.body).replace(QUOTED, '$1$2$2');
  const rule = TEXT_RULES.find((candidate) => candidate.statuses.includes(status) && candidate.pattern.test(texts));
  if (rule) return rule.code;
  // Out of writes, whatever else went wrong: waiting for the reset comes first. An answer about the
  // request itself (above) wins, as the write budget is in gateway.rateLimit anyway.
  if (headers['fastly-ratelimit-remaining']?.trim() === '0') return 'rate_limited';
  if (status === 404) return 'not_found';
  if (status === 408 || status >= 500) return 'fastly_unavailable';
  if (status >= 400) return 'fastly_rejected';
  // A failed call with a 1xx-3xx status: an answer cut short or mangled on the way.
  return 'fastly_unavailable';
}

/** Classifies one failure by the table in docs/ARCHITECTURE.md. `now` dates a Retry-After. */
export function classifyFastlyFailure(failure: FastlyFailure, now: number): EdgeplaneError {
  if (failure.status === null) {
    if (failure.networkCode === null) {
      // Not a network failure and no answer: something on our side of the call broke.
      return new EdgeplaneError('internal', `Fastly call failed before an answer: ${failure.message}`, { cause: failure });
    }
    return new EdgeplaneError('fastly_unavailable', `No answer from Fastly (${failure.networkCode}): ${failure.message}`, { cause: failure });
  }
  const code = codeFor({ ...failure, status: failure.status });
  const detail = fastlyDetail(failure.body) ?? failure.message;
  const resetAt = code === 'rate_limited' ? rateLimitResetAt(failure.headers, now) : undefined;
  return new EdgeplaneError(code, detail, { cause: failure, resetAt });
}
