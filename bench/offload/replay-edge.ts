import { EdgeCache } from '../../edge/local/cache';
import { createLocalPlatform, type LocalPlatform } from '../../edge/local/platform';
import type { OriginResult } from '../../edge/platform';
import { ManualClock } from '../../src/clock';
import type { OriginModel } from './origin';
import type { Served } from './served';
import { answerOf, taggedResponse } from './tagged-answer';
import type { BenchRequest } from './workload';

// The edge's own local platform (edge/local/platform.ts: Fastly's readthrough cache played by
// EdgeCache, background revalidation, stale-if-error) with the origin model behind it and a
// clock the replay moves. Counts what each request costs at the origin.

export class ReplayEdge {
  readonly platform: LocalPlatform;
  private readonly clock = new ManualClock(0);
  private current: BenchRequest | null = null;
  private originRequests = 0;
  private originBytes = 0;

  constructor(origin: OriginModel, readConfig: (key: string) => Promise<string | null> = async () => null) {
    this.platform = createLocalPlatform({
      cache: new EdgeCache({ clock: this.clock }),
      readConfig,
      fetchOrigin: async (_origin, request) => {
        const answer = origin.answer(this.current!, Object.fromEntries(request.headers), this.clock.now());
        this.originRequests++;
        this.originBytes += answer.bytes;
        return taggedResponse(answer);
      },
    });
  }

  /** Serves one request at its time: `run` asks the platform, directly or through the edge app. */
  async serve(request: BenchRequest, run: () => Promise<{ status: number; headers: Headers; fromCache: boolean }>): Promise<Served> {
    this.current = request;
    this.clock.set(request.atMs);
    this.originRequests = 0;
    this.originBytes = 0;
    const result = await run();
    // A background refresh finishes at the same simulated time, before the next request.
    await this.platform.settled();
    return {
      answer: answerOf(result.status, result.headers),
      fromCache: result.fromCache,
      fromStore: result.fromCache,
      originRequests: this.originRequests,
      originBytes: this.originBytes,
    };
  }
}

export async function drained(result: OriginResult): Promise<{ status: number; headers: Headers; fromCache: boolean }> {
  await result.response.body?.cancel();
  return { status: result.response.status, headers: result.response.headers, fromCache: result.cached };
}
