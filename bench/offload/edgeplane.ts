import type { Hono } from 'hono';
import { createEdgeApp } from '../../edge/app';
import { SITE_CONFIG_KEY, type SiteConfig, siteWithHosts } from '../../src/site-config';
import type { OriginModel } from './origin';
import { ReplayEdge } from './replay-edge';
import type { OffloadPolicy, Served } from './served';
import { MAIN_HOST, STATIC_HOST } from './site';
import type { BenchRequest } from './workload';

// edgeplane under test: every request goes through the edge app itself (edge/app.ts with the
// policy of edge/policy.ts) on the edge's local platform and cache, with the benchmark's origin
// model behind it. The caching switch is on for both hosts.

export const BENCH_SITE: SiteConfig = siteWithHosts({ main: [MAIN_HOST], static: [STATIC_HOST] });

const CONFIG = new Map([
  [SITE_CONFIG_KEY, JSON.stringify(BENCH_SITE)],
  [`caching:${MAIN_HOST}`, 'on'],
  [`caching:${STATIC_HOST}`, 'on'],
]);

export class EdgeplanePolicy implements OffloadPolicy {
  readonly name = 'edgeplane';
  private readonly edge: ReplayEdge;
  private readonly app: Hono;

  constructor(origin: OriginModel) {
    this.edge = new ReplayEdge(origin, async (key) => CONFIG.get(key) ?? null);
    this.app = createEdgeApp(this.edge.platform);
  }

  serve(request: BenchRequest): Promise<Served> {
    return this.edge.serve(request, async () => {
      const response = await this.app.request(`https://${request.host}${request.target}`, { method: request.method, headers: request.headers });
      await response.body?.cancel();
      const cacheState = response.headers.get('x-cache');
      return { status: response.status, headers: response.headers, fromCache: cacheState === 'HIT' || cacheState === 'STALE' };
    });
  }
}
