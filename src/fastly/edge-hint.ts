// The free release hint (docs/fastly-facts.md, "Domains held by another account"): Fastly's edge,
// asked over plain HTTP for a host no active service holds, answers 500 "Fastly error: unknown
// domain". A GET to the edge is no API call and no write: it costs nothing of the write limit.

/** What Fastly's edge said of a host: some active service serves it, none does, or no answer. */
export type EdgeHint = 'served' | 'unknown' | 'no_answer';

/** Fastly's documented non-TLS hostname on its global network (port 80). */
export const DEFAULT_FASTLY_EDGE = 'dualstack.nonssl.global.fastly.net';

/** The edge's answer as a hint: only its "unknown domain" 500 says that no active service holds the host. */
export function classifyEdgeAnswer(status: number, body: string): Exclude<EdgeHint, 'no_answer'> {
  return status === 500 && /unknown domain/i.test(body) ? 'unknown' : 'served';
}

export interface EdgeHints {
  /** Where the hints are read (`host` or `host:port`), for the record's condition. */
  readonly address: string;
  read(domain: string): Promise<EdgeHint>;
}
