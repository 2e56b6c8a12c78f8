import { hash } from 'node:crypto';
import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { JSONParsed } from 'hono/utils/types';

// JSON answers of values the control plane hands out again unchanged (a domain page read at an
// unchanged revision): a frozen value cannot change, so its UTF-8 text and an entity tag of it are
// made once and kept as long as the value itself lives; the Node server writes those bytes as they
// are. A client that sends the tag back in If-None-Match gets 304 and no body while the value is
// the same: what a poller of a long list saves is the bytes, which are most of the answer's cost.
// Anything not frozen is serialised every time and has no tag.

const encoder = new TextEncoder();

interface FrozenBody {
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
}

const bodies = new WeakMap<object, FrozenBody>();

function frozenBody(value: object): FrozenBody {
  let body = bodies.get(value);
  if (body === undefined) {
    const bytes = encoder.encode(JSON.stringify(value));
    // A strong tag: the same bytes, byte for byte.
    body = { bytes, etag: `"${hash('sha256', bytes, 'base64url')}"` };
    bodies.set(value, body);
  }
  return body;
}

/** Whether an If-None-Match header names `etag` (RFC 9110 13.1.2: weak comparison, or `*`). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * The response `c.json(value, status)` makes, typed as it types it, with the kept body; for a
 * frozen value also its ETag, and 304 without a body when the request already has that tag.
 */
export function jsonResponse<T extends object, S extends ContentfulStatusCode>(c: Context, value: T, status: S) {
  let response: Response;
  if (Object.isFrozen(value)) {
    const { bytes, etag } = frozenBody(value);
    response = noneMatch(c.req.header('if-none-match'), etag)
      ? c.body(null, 304, { etag })
      : c.body(bytes, status, { 'content-type': 'application/json', etag });
  } else {
    response = c.body(JSON.stringify(value), status, { 'content-type': 'application/json' });
  }
  return response as Response & TypedResponse<JSONParsed<T>, S, 'json'>;
}
