import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { EdgeCache } from '../../edge/local/cache';
import { AnchorPolicy } from './anchor';
import { EdgeplanePolicy } from './edgeplane';
import { IdealPolicy } from './ideal';
import type { OriginModel } from './origin';
import { replay } from './replay';
import type { OffloadPolicy, Served } from './served';
import { serveThroughCache } from './through-cache';
import type { BenchRequest } from './workload';

/** A cache that keeps every GET answer an hour by URL, deaf to privacy: what leak counting must catch. */
class CacheEverything implements OffloadPolicy {
  readonly name = 'cache-everything';
  private readonly clock = new ManualClock(0);
  private readonly cache = new EdgeCache({ clock: this.clock });
  constructor(private readonly origin: OriginModel) {}
  serve(request: BenchRequest): Served {
    this.clock.set(request.atMs);
    const ask = () => this.origin.answer(request, request.headers, request.atMs);
    if (request.method !== 'GET') {
      const answer = ask();
      return { answer, fromCache: false, fromStore: false, originRequests: 1, originBytes: answer.bytes };
    }
    return serveThroughCache({
      cache: this.cache,
      key: `${request.host}${request.target}`,
      requestHeaders: new Headers(),
      nowMs: request.atMs,
      ask,
      verdict: () => ({ store: true, ttl: 3600, swr: 0, sie: 0, surrogateKeys: [] }),
    });
  }
}

describe('replay', () => {
  const run = (authorizedFetch: boolean) =>
    replay({
      seed: 5,
      requests: 12_000,
      warmupRequests: 3_000,
      authorizedFetch,
      policies: [(o) => new EdgeplanePolicy(o), (o) => new AnchorPolicy(o), (o) => new IdealPolicy(o), (o) => new CacheEverything(o)],
    });

  it('counts leaks and wrong representations when a cache ignores privacy and Accept', async () => {
    const { results } = await run(false);
    expect(results['cache-everything']!.leaks).toBeGreaterThan(0);
    expect(results['cache-everything']!.wrongRepresentation).toBeGreaterThan(0);
    expect(results.ideal!.leaks).toBe(0);
    expect(results.ideal!.staleServed).toBe(0);
  });

  it('counts the requests after the warm-up, and no policy beats the oracle', async () => {
    const outcome = await run(true);
    expect(outcome.requests).toBe(12_000);
    for (const name of ['edgeplane', 'anchor', 'ideal']) {
      const result = outcome.results[name]!;
      const counted = Object.values(result.byGroup).reduce((sum, group) => sum + group.requests, 0);
      expect(counted).toBe(12_000);
      expect(result.hitRatio).toBeGreaterThan(0);
      expect(result.byteOffload).toBeLessThanOrEqual(outcome.results.ideal!.byteOffload + 1e-9);
      expect(result.originPerThousand).toBeGreaterThanOrEqual(outcome.results.ideal!.originPerThousand - 1e-9);
    }
  });
});
