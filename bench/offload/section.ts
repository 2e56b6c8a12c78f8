import type { BenchSettings } from '../settings';
import { type OffloadSummary, round } from '../summary';
import { percent, printTable } from '../table';
import { AnchorPolicy } from './anchor';
import { EdgeplanePolicy } from './edgeplane';
import { IdealPolicy } from './ideal';
import type { OriginModel } from './origin';
import { type Counters, type OffloadResult, type ReplayOutcome, replay, TRAFFIC_GROUPS, type TrafficGroup } from './replay';
import { REQUESTS_PER_SECOND } from './workload';

const POLICIES = [
  (origin: OriginModel) => new EdgeplanePolicy(origin),
  (origin: OriginModel) => new AnchorPolicy(origin),
  (origin: OriginModel) => new IdealPolicy(origin),
  (origin: OriginModel) => new IdealPolicy(origin, { boundedByOriginLifetimes: true }),
];

/** How close edgeplane's hit ratio per class must come to the ideal's (issue 11), in points. */
const CLOSE_POINTS = 1;

const GROUP_NAMES: Record<TrafficGroup, string> = {
  files: 'files domain',
  static: 'main-domain static',
  api: 'API with a token (incl. streaming)',
  anonymousApi: 'anonymous API reads',
  inbox: 'inbox POSTs',
  federation: 'ActivityPub/WebFinger/NodeInfo GETs',
  pages: 'HTML pages',
};

function printOutcome(title: string, outcome: ReplayOutcome): void {
  const names = Object.keys(outcome.results);
  printTable(
    `${title} — ${outcome.requests.toLocaleString('en')} requests counted after ${outcome.warmupRequests.toLocaleString('en')} warm-up, ${(outcome.simulatedSeconds / 3600).toFixed(1)} simulated hours at ${REQUESTS_PER_SECOND}/s, ${outcome.distinctUrls.toLocaleString('en')} distinct URLs`,
    ['policy', 'hit ratio', 'byte offload', 'origin req / 1,000', 'leaks', 'wrong repr.', 'stale served'],
    names.map((name) => {
      const result = outcome.results[name]!;
      return [
        name,
        percent(result.hitRatio),
        percent(result.byteOffload),
        result.originPerThousand.toFixed(1),
        result.leaks,
        result.wrongRepresentation,
        result.staleServed,
      ];
    }),
  );
  const groups = TRAFFIC_GROUPS;
  printTable(
    `${title} — hit ratio / byte offload by traffic class`,
    ['class', 'requests', 'bytes (GB)', ...names],
    groups.map((group) => {
      const first = outcome.results[names[0]!]!.byGroup[group];
      return [
        GROUP_NAMES[group],
        first.requests,
        (first.clientBytes / 1e9).toFixed(2),
        ...names.map((name) => {
          const counters = outcome.results[name]!.byGroup[group];
          const offload = counters.clientBytes > 0 ? percent(1 - counters.originBytes / counters.clientBytes) : '—';
          return `${percent(counters.hits / Math.max(1, counters.requests))} / ${offload}`;
        }),
      ];
    }),
  );
}

const hitRatio = (counters: Counters) => counters.hits / Math.max(1, counters.requests);
const points = (difference: number) => `${difference >= 0 ? '+' : ''}${(difference * 100).toFixed(1)}`;

/**
 * edgeplane's hit ratio per class beside the ideal's and the bounded ideal's (the oracle that
 * keeps answers only as long as the origin's headers allow), with the differences in points.
 */
function printGaps(title: string, outcome: ReplayOutcome): void {
  const { edgeplane, ideal } = outcome.results;
  const bounded = outcome.results['bounded ideal'];
  if (!edgeplane || !ideal || !bounded) return;
  printTable(
    `${title} — hit ratio by class: edgeplane against the ideal (points)`,
    ['class', 'edgeplane', 'ideal', 'difference', 'bounded ideal', 'difference', 'within 1 point of'],
    TRAFFIC_GROUPS.map((group) => {
      const mine = hitRatio(edgeplane.byGroup[group]);
      const best = hitRatio(ideal.byGroup[group]);
      const allowed = hitRatio(bounded.byGroup[group]);
      const close = (other: number) => mine >= other - CLOSE_POINTS / 100;
      return [
        GROUP_NAMES[group],
        percent(mine),
        percent(best),
        points(mine - best),
        percent(allowed),
        points(mine - allowed),
        close(best) ? 'ideal' : close(allowed) ? 'bounded ideal only' : 'NEITHER',
      ];
    }),
  );
}

function summarise(result: OffloadResult): OffloadSummary {
  return {
    hitRatio: round(result.hitRatio, 4),
    byteOffload: round(result.byteOffload, 4),
    originPerThousand: round(result.originPerThousand, 1),
    leaks: result.leaks,
  };
}

export interface OffloadSection {
  summary: { edgeplane: OffloadSummary; anchor: OffloadSummary; ideal: OffloadSummary };
  details: { publicFetch: ReplayOutcome; authorizedFetch: ReplayOutcome };
}

export async function runOffloadSection(settings: BenchSettings): Promise<OffloadSection> {
  const common = { seed: settings.seed, requests: settings.offloadRequests, warmupRequests: settings.offloadWarmup, policies: POLICIES };
  const publicFetch = await replay({ ...common, authorizedFetch: false });
  printOutcome('1. Cache offload, Mastodon defaults', publicFetch);
  printGaps('1. Cache offload, Mastodon defaults', publicFetch);
  const authorizedFetch = await replay({ ...common, authorizedFetch: true });
  printOutcome('1b. Cache offload, AUTHORIZED_FETCH (secure mode): ActivityPub answers private to the signer', authorizedFetch);
  printGaps('1b. Cache offload, AUTHORIZED_FETCH', authorizedFetch);
  const results = publicFetch.results;
  return {
    summary: { edgeplane: summarise(results.edgeplane!), anchor: summarise(results.anchor!), ideal: summarise(results.ideal!) },
    details: { publicFetch, authorizedFetch },
  };
}
