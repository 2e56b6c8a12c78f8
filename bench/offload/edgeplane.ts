import type { Hono } from 'hono';
import { ManualClock } from '../../src/clock';
import { SITE_CONFIG_KEY, type SiteConfig } from '../../src/site-config';
import { createEdgeApp } from '../../edge/app';
import { EdgeCache } from '../../edge/local/cache';
import type { EdgePlatform, OriginRequest, OriginResult } from '../../edge/platform';
import type { OriginModel } from './origin';
import type { OffloadPolicy, Served } from './served';
import { MAIN_HOST, STATIC_HOST } from './site';
import { answerOf, taggedResponse } from './tagged-answer';
import { serveThroughCache } from './through-cache';
import type { BenchRequest } from './workload';

// edgeplane under test: every request goes through the edge app itself (edge/app.ts with the
// policy of edge/policy.ts), on a platform whose cache is the edge's local cache and whose
// origin is the benchmark's origin model. The caching switch is on for both hosts.

const SITE: SiteConfig = {
  mainDomain: MAIN_HOST,
  staticDomain: STATIC_HOST,
  wwwRedirect: false,
  backends: { main: 'main_origin', static: 'static_origin' },
  staticHostHeader: null,
  staticPathPrefix: null,
};

export class EdgeplanePolicy implements OffloadPolicy {
  readonly name = 'edgeplane';
  private readonly clock = new ManualClock(0);
  private readonly cache = new EdgeCache({ clock: this.clock });
  private readonly app: Hono;
  private current: BenchRequest | null = null;
  private originRequests = 0;
  private originBytes = 0;

  constructor(private readonly origin: OriginModel) {
    const config = new Map([[SITE_CONFIG_KEY, JSON.stringify(SITE)], [`caching:${MAIN_HOST}`, 'on'], [`caching:${STATIC_HOST}`, 'on']]);
    const platform: EdgePlatform = {
      fetchOrigin: async (originRequest) => this.fetchOrigin(originRequest),
      readConfig: async (key) => config.get(key) ?? null,
      handoffWebsocket: async () => {
        throw new Error('the benchmark replays no WebSocket upgrades');
      },
      clientAddress: () => null,
      log: () => {},
      now: () => this.clock.now(),
    };
    this.app = createEdgeApp(platform);
  }

  private fetchOrigin({ request, cache }: OriginRequest): OriginResult {
    const benchRequest = this.current!;
    const forwarded = Object.fromEntries(request.headers);
    const nowMs = this.clock.now();
    const ask = () => {
      const answer = this.origin.answer(benchRequest, forwarded, nowMs);
      this.originRequests++;
      this.originBytes += answer.bytes;
      return answer;
    };
    if (cache.mode === 'pass') return { response: taggedResponse(ask()), cached: false, stale: false };
    const served = serveThroughCache({
      cache: this.cache,
      key: cache.key,
      requestHeaders: request.headers,
      nowMs,
      ask,
      verdict: (answer) => cache.decideStorage(taggedResponse(answer)),
    });
    return { response: taggedResponse(served.answer), cached: served.fromCache, stale: served.fromCache && served.originRequests > 0 };
  }

  async serve(request: BenchRequest): Promise<Served> {
    this.current = request;
    this.clock.set(request.atMs);
    this.originRequests = 0;
    this.originBytes = 0;
    const response = await this.app.request(`https://${request.host}${request.target}`, { method: request.method, headers: request.headers });
    const cacheState = response.headers.get('x-cache');
    const fromCache = cacheState === 'HIT' || cacheState === 'STALE';
    return {
      answer: answerOf(response.status, response.headers),
      fromCache,
      fromStore: fromCache,
      originRequests: this.originRequests,
      originBytes: this.originBytes,
    };
  }
}
