import { describe, expect, it } from 'vitest';
import { redactSecrets, toFastlyFailure } from './failure';

// The shapes below are what fastly-js (superagent 6) and Node's fetch (undici) throw; the
// gateway tests produce the same from real sockets.

describe('toFastlyFailure', () => {
  it("takes the answer out of fastly-js's rejection and leaves the request (and its Fastly-Key) behind", () => {
    const response = {
      status: 400,
      headers: { 'Content-Type': 'application/json', 'Fastly-RateLimit-Remaining': '998', 'Set-Cookie': ['a=1', 'b=2'] },
      body: { msg: 'Bad request', detail: "Domain 'example.org' is owned by another customer" },
      text: '{"msg":"Bad request"}',
      req: { headers: { 'fastly-key': 'secret-token' } },
    };
    const failure = toFastlyFailure({ status: 400, body: response.body, response, error: new Error('Bad Request') });
    expect(failure).toEqual({
      status: 400,
      headers: { 'content-type': 'application/json', 'fastly-ratelimit-remaining': '998', 'set-cookie': 'a=1, b=2' },
      body: response.body,
      networkCode: null,
      message: 'Fastly answered 400',
    });
    expect(JSON.stringify(failure)).not.toContain('secret-token');
  });

  it('reads a body superagent did not parse from its text, as JSON when it is', () => {
    const html = { status: 503, statusText: 'Service Unavailable', headers: {}, body: {}, text: '  upstream connect error  ' };
    expect(toFastlyFailure({ response: html, error: new Error('Service Unavailable') })).toMatchObject({
      status: 503,
      body: 'upstream connect error',
      message: 'Fastly answered 503 Service Unavailable',
    });
    const json = { status: 400, headers: {}, body: {}, text: '{"msg":"Bad request"}' };
    expect(toFastlyFailure({ response: json, error: new Error('Bad Request') }).body).toEqual({ msg: 'Bad request' });
    const empty = { status: 502, headers: {}, body: {}, text: '' };
    expect(toFastlyFailure({ response: empty, error: new Error('Bad Gateway') }).body).toBeNull();
  });

  it('takes the answer of a bare superagent error', () => {
    const error = Object.assign(new Error('Unauthorized'), {
      status: 401,
      response: { status: 401, headers: {}, body: { msg: 'Provided credentials are missing or invalid' } },
    });
    expect(toFastlyFailure(error)).toMatchObject({ status: 401, body: { msg: 'Provided credentials are missing or invalid' } });
  });

  it('keeps the code of a socket error that never got an answer', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(toFastlyFailure({ error: reset })).toEqual({ status: null, headers: {}, body: null, networkCode: 'ECONNRESET', message: 'socket hang up' });
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND api.fastly.com'), { code: 'ENOTFOUND', errno: -3008 });
    expect(toFastlyFailure({ error: dns }).networkCode).toBe('ENOTFOUND');
    const timeout = Object.assign(new Error('Timeout of 30000ms exceeded'), { code: 'ECONNABORTED', errno: 'ETIME', timeout: 30000 });
    expect(toFastlyFailure({ error: timeout }).networkCode).toBe('ECONNABORTED');
  });

  it('finds the socket error fetch wraps in its cause, and takes a fetch timeout for one', () => {
    const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
    expect(toFastlyFailure(wrapped)).toMatchObject({ status: null, networkCode: 'ECONNREFUSED', message: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9' });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(toFastlyFailure(timeout).networkCode).toBe('ETIMEDOUT');
  });

  it('finds no network code in a programming error', () => {
    expect(toFastlyFailure(new TypeError("Cannot read properties of undefined (reading 'id')"))).toMatchObject({ status: null, networkCode: null });
    expect(toFastlyFailure('a string')).toMatchObject({ networkCode: null, message: 'a string' });
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret in every string, keys included, without touching the original', () => {
    const original = { message: 'token abc123 rejected', nested: [{ abc123: 'abc123abc123' }], count: 3, none: null };
    const redacted = redactSecrets(original, ['abc123']);
    expect(redacted).toEqual({ message: 'token [redacted] rejected', nested: [{ '[redacted]': '[redacted][redacted]' }], count: 3, none: null });
    expect(original.message).toBe('token abc123 rejected');
  });

  it('ignores an empty secret', () => {
    expect(redactSecrets('plain text', [''])).toBe('plain text');
  });
});
