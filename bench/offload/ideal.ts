import { CACHEABLE_STATUSES } from '../../edge/freshness';
import type { OriginModel } from './origin';
import type { OffloadPolicy, Served } from './served';
import type { BenchRequest, Resource } from './workload';

// The oracle: stores every answer that is safe to share (private to nobody) and serves it for
// exactly as long as it stays valid (until the object changes), whatever the headers say. It
// knows which content cannot depend on who asks and drops credentials there, as the best
// possible edge would.

const SAME_FOR_EVERYONE: ReadonlySet<Resource> = new Set<Resource>([
  'avatar', 'preview', 'original', 'video', 'pack', 'emoji', 'missing-image', 'sound', 'root-file', 'service-worker',
  'api-instance', 'webfinger', 'nodeinfo',
]);

export class IdealPolicy implements OffloadPolicy {
  readonly name = 'ideal';
  private readonly stored = new Map<string, number>();

  constructor(private readonly origin: OriginModel) {}

  serve(request: BenchRequest): Served {
    const forwarded = { ...request.headers };
    if (SAME_FOR_EVERYONE.has(request.resource)) {
      delete forwarded.authorization;
      delete forwarded.cookie;
    }
    const answer = this.origin.answer(request, forwarded, request.atMs);
    const shareable = (request.method === 'GET' || request.method === 'HEAD') && answer.owner === null && CACHEABLE_STATUSES.has(answer.status);
    if (!shareable) return { answer, fromCache: false, fromStore: false, originRequests: 1, originBytes: answer.bytes };
    const key = `${request.host}${request.target}|${answer.variant}`;
    if (this.stored.get(key) === answer.version) {
      return { answer, fromCache: true, fromStore: true, originRequests: 0, originBytes: 0 };
    }
    this.stored.set(key, answer.version);
    return { answer, fromCache: false, fromStore: false, originRequests: 1, originBytes: answer.bytes };
  }
}
