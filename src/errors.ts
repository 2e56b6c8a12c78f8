import { z } from 'zod';

// Machine codes shared by the gateway, the lifecycle, the API (problem+json) and the CLI.
export const ErrorCode = z.enum([
  // Fastly's answers, classified once, in the gateway (see docs/ARCHITECTURE.md).
  'domain_held_by_other_account',
  'domain_held_by_own_service',
  'rate_limited',
  'unauthorized',
  'version_locked',
  'fastly_unavailable',
  'fastly_rejected',
  // Ours.
  'invalid_input',
  'not_found',
  'conflict',
  'tls_failed',
  /** The database is locked, cannot be written or is damaged (src/store/failure.ts). */
  'store_unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

const defaultStatus: Record<ErrorCode, number> = {
  domain_held_by_other_account: 409,
  domain_held_by_own_service: 409,
  rate_limited: 429,
  unauthorized: 401,
  version_locked: 409,
  fastly_unavailable: 503,
  fastly_rejected: 422,
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  tls_failed: 422,
  store_unavailable: 503,
  internal: 500,
};

export interface EdgeplaneErrorOptions {
  status?: number;
  cause?: unknown;
  /** When to try again: a rate limit's end (from Fastly-RateLimit-Reset), or a database's retry time. */
  resetAt?: Date;
}

/** The one error class: HTTP status, machine code, human detail (Fastly's text verbatim), cause. */
export class EdgeplaneError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly resetAt: Date | undefined;

  constructor(code: ErrorCode, detail: string, options: EdgeplaneErrorOptions = {}) {
    super(`${code}: ${detail}`, { cause: options.cause });
    this.name = 'EdgeplaneError';
    this.code = code;
    this.detail = detail;
    this.status = options.status ?? defaultStatus[code];
    this.resetAt = options.resetAt;
  }
}

export function isEdgeplaneError(error: unknown, code?: ErrorCode): error is EdgeplaneError {
  return error instanceof EdgeplaneError && (code === undefined || error.code === code);
}

/** Runs `run`, turning `not_found` into null: for lookups where absence is an answer. */
export async function orNull<T>(run: Promise<T>): Promise<T | null> {
  try {
    return await run;
  } catch (error) {
    if (isEdgeplaneError(error, 'not_found')) return null;
    throw error;
  }
}
