import type { ResponseHeaders } from './rate-limit';

/**
 * A failed Fastly call reduced to what classification needs, and safe to log: the response's
 * status, headers and body, or the transport error code when no answer came. It never holds the
 * request: superagent attaches the request headers (and with them the Fastly-Key) to its errors.
 */
export interface FastlyFailure {
  /** HTTP status of Fastly's answer; null when there was none (timeout, reset, DNS, refused). */
  status: number | null;
  headers: ResponseHeaders;
  /** Parsed JSON when the body was JSON, else its text, else null. */
  body: unknown;
  /** ECONNRESET, ECONNREFUSED, ENOTFOUND, ETIMEDOUT, ECONNABORTED (superagent timeout), UND_ERR_...; null with an answer. */
  networkCode: string | null;
  message: string;
}

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null;

const NETWORK_CODE = /^(E[A-Z0-9_]+|UND_ERR_[A-Z_]+)$/;

function networkCodeOf(error: unknown, depth = 0): string | null {
  if (!isObject(error) || depth > 3) return null;
  // fetch: AbortSignal.timeout() rejects with a DOMException named TimeoutError.
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'ETIMEDOUT';
  if (typeof error.code === 'string' && NETWORK_CODE.test(error.code)) return error.code;
  // superagent timeouts carry `timeout` and code ECONNABORTED; errno ETIME or ETIMEDOUT.
  if (typeof error.errno === 'string' && NETWORK_CODE.test(error.errno)) return error.errno;
  // fetch wraps the socket error: TypeError('fetch failed', { cause }).
  return networkCodeOf(error.cause, depth + 1);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error && error.cause.message !== error.message ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function lowerCaseHeaders(headers: unknown): ResponseHeaders {
  const result: ResponseHeaders = {};
  if (!isObject(headers)) return result;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') result[name.toLowerCase()] = value;
    else if (Array.isArray(value)) result[name.toLowerCase()] = value.join(', ');
  }
  return result;
}

/** The body of an answer: superagent's parsed body when it parsed one, else the text (JSON when it is). */
export function parseBodyText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return trimmed;
  }
}

function superagentBody(response: Loose): unknown {
  const body = response.body;
  const parsed = isObject(body) && !Buffer.isBuffer(body) && (Array.isArray(body) || Object.keys(body).length > 0);
  if (parsed) return body;
  return typeof response.text === 'string' ? parseBodyText(response.text) : null;
}

/**
 * Reduces whatever a Fastly call threw to a FastlyFailure: fastly-js's rejection
 * (`{status, body, response, error}`), a bare superagent error (`err.response` when Fastly
 * answered), or a fetch / undici error (TypeError with a `cause` code, TimeoutError).
 */
export function toFastlyFailure(thrown: unknown): FastlyFailure {
  const error = isObject(thrown) && 'error' in thrown && !(thrown instanceof Error) ? thrown.error : thrown;
  const response = isObject(thrown) && isObject(thrown.response) ? thrown.response : isObject(error) && isObject(error.response) ? error.response : null;
  if (response && typeof response.status === 'number') {
    const statusText = typeof response.statusText === 'string' ? ` ${response.statusText}` : '';
    return {
      status: response.status,
      headers: lowerCaseHeaders(response.headers),
      body: superagentBody(response),
      networkCode: null,
      message: `Fastly answered ${response.status}${statusText}`,
    };
  }
  return { status: null, headers: {}, body: null, networkCode: networkCodeOf(error), message: messageOf(error) };
}

const REDACTED = '[redacted]';

/** A deep copy of `value` with every occurrence of each secret in its strings replaced. */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  const present = secrets.filter((secret) => secret.length > 0);
  if (present.length === 0) return value;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return present.reduce((text, secret) => text.split(secret).join(REDACTED), item);
    if (Array.isArray(item)) return item.map(walk);
    if (isObject(item)) return Object.fromEntries(Object.entries(item).map(([key, inner]) => [walk(key), walk(inner)]));
    return item;
  };
  return walk(value) as T;
}
