import { describe, expect, it } from 'vitest';
import { AnchorPolicy } from './anchor';
import { EdgeplanePolicy } from './edgeplane';
import { IdealPolicy } from './ideal';
import type { OriginAnswer, OriginModel } from './origin';
import { replay } from './replay';
import type { OffloadPolicy, Served } from './served';
import type { BenchRequest } from './workload';

/** A cache that keeps the first answer to every GET by URL, deaf to privacy and Vary: what the counters must catch. */
class CacheEverything implements OffloadPolicy {
  readonly name = 'cache-everything';
  private readonly stored = new Map<string, OriginAnswer>();
  constructor(private readonly origin: OriginModel) {}
  serve(request: BenchRequest): Served {
    const key = `${request.host}${request.target}`;
    const hit = request.method === 'GET' ? this.stored.get(key) : undefined;
    if (hit) return { answer: hit, fromCache: true, fromStore: true, originRequests: 0, originBytes: 0 };
    const answer = this.origin.answer(request, request.headers, request.atMs);
    if (request.method === 'GET') this.stored.set(key, answer);
    return { answer, fromCache: false, fromStore: false, originRequests: 1, originBytes: answer.bytes };
  }
}

/** Two replays of 8,000 requests through four caches: seconds on a quiet machine, more on a busy one. */
const REPLAY_TIMEOUT_MS = 60_000;

describe('replay', () => {
  const run = (authorizedFetch: boolean) =>
    replay({
      seed: 5,
      requests: 6_000,
      warmupRequests: 2_000,
      authorizedFetch,
      policies: [(o) => new EdgeplanePolicy(o), (o) => new AnchorPolicy(o), (o) => new IdealPolicy(o), (o) => new CacheEverything(o)],
    });

  it(
    'counts leaks and wrong representations when a cache ignores privacy and Accept',
    async () => {
      const { results } = await run(false);
      expect(results['cache-everything']!.leaks).toBeGreaterThan(0);
      expect(results['cache-everything']!.wrongRepresentation).toBeGreaterThan(0);
      expect(results.ideal!.leaks).toBe(0);
      expect(results.ideal!.staleServed).toBe(0);
    },
    REPLAY_TIMEOUT_MS,
  );

  it(
    'counts the requests after the warm-up, and no policy beats the oracle',
    async () => {
      const outcome = await run(true);
      expect(outcome.requests).toBe(6_000);
      for (const name of ['edgeplane', 'anchor', 'ideal']) {
        const result = outcome.results[name]!;
        const counted = Object.values(result.byGroup).reduce((sum, group) => sum + group.requests, 0);
        expect(counted).toBe(6_000);
        expect(result.hitRatio).toBeGreaterThan(0);
        expect(result.byteOffload).toBeLessThanOrEqual(outcome.results.ideal!.byteOffload + 1e-9);
        expect(result.originPerThousand).toBeGreaterThanOrEqual(outcome.results.ideal!.originPerThousand - 1e-9);
      }
    },
    REPLAY_TIMEOUT_MS,
  );
});
