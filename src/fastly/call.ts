import { z } from 'zod';
import { EdgeplaneError } from '../errors';
import { classifyFastlyFailure } from './classify';
import { type FastlyFailure, redactSecrets, toFastlyFailure } from './failure';
import type { FastlyCallEvent } from './gateway';
import type { ResponseHeaders } from './rate-limit';

/** What a sender got back: any HTTP answer (fetch) or a success (fastly-js rejects failures). */
export interface RawAnswer {
  status: number;
  headers: ResponseHeaders;
  body: unknown;
}

export type Send = () => Promise<RawAnswer>;

/**
 * Reads are retried on these statuses and on network failures (timeouts, resets, refused, DNS);
 * 429 is not among them: a rate limit is waited out by the lifecycle until Fastly-RateLimit-Reset.
 * Writes are never retried here: only the lifecycle, which knows what a write did, tries again.
 */
export const READ_RETRY_STATUSES: ReadonlySet<number> = new Set([408, 500, 502, 503, 504]);

export interface CallerOptions {
  /** Strings (the Fastly token) that must not reach an error. */
  secrets: readonly string[];
  /** Extra attempts of a GET after a retryable failure. */
  readRetries: number;
  /** Wait before the first read retry; doubled for each further one. */
  readRetryDelayMs: number;
  /** Sees the headers of every answer, success or failure (rate-limit bookkeeping). */
  onAnswerHeaders: (headers: ResponseHeaders) => void;
  onCall?: (event: FastlyCallEvent) => void;
  now: () => number;
  /** Waits between read retries. */
  wait: (ms: number) => Promise<void>;
}

export interface CallSpec<T> {
  operation: string;
  method: string;
  send: Send;
  /** Parses the body of a successful answer. */
  answer: z.ZodType<T>;
}

function isRetryableRead(failure: FastlyFailure): boolean {
  return failure.status === null ? failure.networkCode !== null : READ_RETRY_STATUSES.has(failure.status);
}

function failureOfAnswer(answer: RawAnswer): FastlyFailure {
  return { status: answer.status, headers: answer.headers, body: answer.body, networkCode: null, message: `Fastly answered ${answer.status}` };
}

/** Runs Fastly calls: one onCall event per HTTP attempt, classified failures, parsed answers. */
export function createCaller(options: CallerOptions) {
  const report = (spec: CallSpec<unknown>, started: number, outcome: string, status: number | null) => {
    try {
      options.onCall?.({ operation: spec.operation, method: spec.method, outcome, status, durationMs: performance.now() - started });
    } catch {
      // A broken metrics hook must not turn a write Fastly has done into a failure the lifecycle retries.
    }
  };

  async function attempt<T>(spec: CallSpec<T>): Promise<{ value: T } | { failure: FastlyFailure; error: EdgeplaneError }> {
    const started = performance.now();
    let answer: RawAnswer;
    try {
      answer = await spec.send();
    } catch (thrown) {
      const failure = redactSecrets(toFastlyFailure(thrown), options.secrets);
      return fail(spec, started, failure);
    }
    if (answer.status < 200 || answer.status > 299) return fail(spec, started, redactSecrets(failureOfAnswer(answer), options.secrets));
    options.onAnswerHeaders(answer.headers);
    const parsed = spec.answer.safeParse(answer.body);
    if (!parsed.success) {
      // Fastly said yes in words we do not understand: a broken contract, not a retryable outage.
      const detail = `Fastly's answer to ${spec.operation} is not what we expect: ${z.prettifyError(parsed.error)}`;
      const error = new EdgeplaneError('internal', redactSecrets(detail, options.secrets), { status: 502 });
      report(spec, started, error.code, answer.status);
      throw error;
    }
    report(spec, started, 'ok', answer.status);
    return { value: parsed.data };
  }

  function fail(spec: CallSpec<unknown>, started: number, failure: FastlyFailure) {
    options.onAnswerHeaders(failure.headers);
    const error = classifyFastlyFailure(failure, options.now());
    report(spec, started, error.code, failure.status);
    return { failure, error };
  }

  return async function call<T>(spec: CallSpec<T>): Promise<T> {
    const retries = spec.method === 'GET' ? options.readRetries : 0;
    for (let retry = 0; ; retry++) {
      const result = await attempt(spec);
      if ('value' in result) return result.value;
      if (retry >= retries || !isRetryableRead(result.failure)) throw result.error;
      await options.wait(options.readRetryDelayMs * 2 ** retry);
    }
  };
}
