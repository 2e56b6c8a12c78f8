import { CACHEABLE_STATUSES, originFreshness } from '../../edge/freshness';
import type { OriginAnswer, OriginModel } from './origin';
import type { OffloadPolicy, Served } from './served';
import type { BenchRequest, Resource } from './workload';

// The oracle: stores every answer that is safe to share (private to nobody) and serves it for
// exactly as long as it stays valid (until the object changes), whatever the headers say. It
// knows which content cannot depend on who asks and drops credentials there, as the best
// possible edge would.
//
// The bounded oracle is a perfect shared cache instead: the same knowledge of who may share an
// answer and which variant it is, but it keeps an answer exactly as long as the origin's headers
// allow (Fastly's freshness rules; stale-while-revalidate served while the origin is asked again
// in the background), changed or not: what the best edge can do without knowing the future.

const SAME_FOR_EVERYONE: ReadonlySet<Resource> = new Set<Resource>([
  'avatar',
  'preview',
  'original',
  'video',
  'pack',
  'emoji',
  'missing-image',
  'sound',
  'root-file',
  'service-worker',
  'api-instance',
  'webfinger',
  'nodeinfo',
]);

interface Stored {
  answer: OriginAnswer;
  /** When the origin last answered (a background refresh renews it). */
  fetchedAtMs: number;
  ttlMs: number;
  swrMs: number;
}

export class IdealPolicy implements OffloadPolicy {
  readonly name: string;
  private readonly stored = new Map<string, Stored>();

  constructor(
    private readonly origin: OriginModel,
    private readonly options: { boundedByOriginLifetimes: boolean } = { boundedByOriginLifetimes: false },
  ) {
    this.name = options.boundedByOriginLifetimes ? 'bounded ideal' : 'ideal';
  }

  serve(request: BenchRequest): Served {
    const forwarded = { ...request.headers };
    if (SAME_FOR_EVERYONE.has(request.resource)) {
      delete forwarded.authorization;
      delete forwarded.cookie;
    }
    const nowMs = request.atMs;
    const answer = this.origin.answer(request, forwarded, nowMs);
    const shareable = (request.method === 'GET' || request.method === 'HEAD') && answer.owner === null && CACHEABLE_STATUSES.has(answer.status);
    if (!shareable) return { answer, fromCache: false, fromStore: false, originRequests: 1, originBytes: answer.bytes };
    const key = `${request.host}${request.target}|${answer.variant}`;
    const stored = this.stored.get(key);
    if (stored && !this.options.boundedByOriginLifetimes && stored.answer.version === answer.version) {
      return { answer, fromCache: true, fromStore: true, originRequests: 0, originBytes: 0 };
    }
    if (stored && this.options.boundedByOriginLifetimes) {
      const age = nowMs - stored.fetchedAtMs;
      if (age < stored.ttlMs) return { answer: stored.answer, fromCache: true, fromStore: true, originRequests: 0, originBytes: 0 };
      if (age < stored.ttlMs + stored.swrMs) {
        this.remember(key, answer, nowMs);
        return { answer: stored.answer, fromCache: true, fromStore: true, originRequests: 1, originBytes: answer.bytes };
      }
    }
    this.remember(key, answer, nowMs);
    return { answer, fromCache: false, fromStore: false, originRequests: 1, originBytes: answer.bytes };
  }

  private remember(key: string, answer: OriginAnswer, nowMs: number): void {
    const freshness = originFreshness(answer.headers, nowMs);
    this.stored.set(key, { answer, fetchedAtMs: nowMs, ttlMs: freshness.ttl * 1000, swrMs: freshness.swr * 1000 });
  }
}
