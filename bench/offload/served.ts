import type { OriginAnswer } from './origin';
import type { BenchRequest } from './workload';

/** What one request cost and what its client got, under one policy. */
export interface Served {
  answer: OriginAnswer;
  /** Answered from a stored object without waiting for the origin (fresh, or stale while revalidating). */
  fromCache: boolean;
  /** The answer is a stored object (a hit, or one revalidated with a 304). */
  fromStore: boolean;
  /** Requests this one caused at the origin (a background revalidation counts). */
  originRequests: number;
  /** Body bytes those requests pulled from the origin. */
  originBytes: number;
}

/** A caching policy under test: serves each request of the stream, in order. */
export interface OffloadPolicy {
  readonly name: string;
  serve(request: BenchRequest): Served | Promise<Served>;
}
