import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { JSONParsed } from 'hono/utils/types';

// JSON answers of values the control plane hands out again unchanged (a domain page read at an
// unchanged revision): a frozen value cannot change, so its UTF-8 text is made once and kept as
// long as the value itself lives; the Node server writes those bytes as they are. Anything not
// frozen is serialised every time.

const encoder = new TextEncoder();
const bodies = new WeakMap<object, Uint8Array<ArrayBuffer>>();

export function jsonBody(value: object): string | Uint8Array<ArrayBuffer> {
  if (!Object.isFrozen(value)) return JSON.stringify(value);
  let body = bodies.get(value);
  if (body === undefined) {
    body = encoder.encode(JSON.stringify(value));
    bodies.set(value, body);
  }
  return body;
}

/** The response `c.json(value, status)` makes, typed as it types it, with the kept body. */
export function jsonResponse<T extends object, S extends ContentfulStatusCode>(c: Context, value: T, status: S) {
  const response: Response = c.body(jsonBody(value), status, { 'content-type': 'application/json' });
  return response as Response & TypedResponse<JSONParsed<T>, S, 'json'>;
}
