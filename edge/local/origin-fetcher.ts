import { Readable } from 'node:stream';
import { Agent, request as httpRequest } from 'undici';
import type { Origin } from '../policy';

/** How the local platform reaches an origin: the request carries the Host header the policy chose. */
export type OriginFetcher = (origin: Origin, request: Request) => Promise<Response>;

// Hop-by-hop headers belong to one connection; undici refuses some of them outright.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export interface HttpOriginFetcher {
  fetch: OriginFetcher;
  close(): Promise<void>;
}

/** Sends requests over HTTP to the origins' base URLs (e.g. http://127.0.0.1:3000). */
export function httpOriginFetcher(origins: Record<Origin, string>): HttpOriginFetcher {
  // No body timeout: server-sent events stay open as long as the client listens.
  const agent = new Agent({ connectTimeout: 5_000, headersTimeout: 30_000, bodyTimeout: 0 });
  const bases = { main: new URL(origins.main), static: new URL(origins.static) };
  return {
    async fetch(origin, request) {
      const target = new URL(request.url);
      // Never `new URL(path, base)`: a path starting with `//` would name another host.
      const url = new URL(`${bases[origin].origin}${target.pathname}${target.search}`);
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.includes(name)) headers[name] = value;
      });
      const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
      const answer = await httpRequest(url, {
        method: request.method as 'GET',
        headers,
        body: hasBody ? Readable.fromWeb(request.body as import('node:stream/web').ReadableStream) : null,
        dispatcher: agent,
      });
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value === undefined || HOP_BY_HOP.includes(name)) continue;
        for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(name, item);
      }
      const nullBody = request.method === 'HEAD' || NULL_BODY_STATUSES.has(answer.statusCode);
      if (nullBody) await answer.body.dump();
      const body = nullBody ? null : (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>);
      return new Response(body, { status: answer.statusCode, headers: responseHeaders });
    },
    close: () => agent.close(),
  };
}
