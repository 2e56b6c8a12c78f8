import { type OriginAnswer, OriginModel } from './origin';
import type { OffloadPolicy, Served } from './served';
import { type BenchRequest, MastodonWorkload, START_MS } from './workload';

// Replays one generated request stream through every policy in lockstep and counts, per policy,
// hits, bytes, origin requests and what a client should never have got.

export type TrafficGroup = 'files' | 'static' | 'api' | 'anonymousApi' | 'inbox' | 'federation' | 'pages';

export const TRAFFIC_GROUPS: readonly TrafficGroup[] = ['files', 'static', 'api', 'anonymousApi', 'inbox', 'federation', 'pages'];

export interface Counters {
  requests: number;
  hits: number;
  clientBytes: number;
  originBytes: number;
  originRequests: number;
}

export interface OffloadResult {
  hitRatio: number;
  byteOffload: number;
  originPerThousand: number;
  /** Answers private to one client (per-user content, a fresh session cookie) handed to another. */
  leaks: number;
  /** Stored answers of the wrong kind (HTML for ActivityPub JSON or the reverse). */
  wrongRepresentation: number;
  /** Stored answers served after the object had changed (allowed by their TTL; informative). */
  staleServed: number;
  byGroup: Record<TrafficGroup, Counters>;
}

export function trafficGroup(request: BenchRequest): TrafficGroup {
  switch (request.resource) {
    case 'avatar':
    case 'preview':
    case 'original':
    case 'video':
      return 'files';
    case 'pack':
    case 'emoji':
    case 'missing-image':
    case 'sound':
    case 'root-file':
    case 'service-worker':
      return 'static';
    case 'api-instance':
    case 'api-private':
    case 'streaming':
      return 'api';
    case 'api-anonymous':
      return 'anonymousApi';
    case 'inbox':
      return 'inbox';
    case 'actor':
    case 'collection':
    case 'webfinger':
    case 'nodeinfo':
      return 'federation';
    case 'status':
      return request.clientKind === 'server' ? 'federation' : 'pages';
    case 'account-page':
    case 'tag-page':
      return 'pages';
  }
}

const emptyCounters = (): Counters => ({ requests: 0, hits: 0, clientBytes: 0, originBytes: 0, originRequests: 0 });

class Tally {
  readonly total = emptyCounters();
  readonly byGroup = new Map<TrafficGroup, Counters>();
  leaks = 0;
  wrongRepresentation = 0;
  staleServed = 0;

  add(request: BenchRequest, served: Served, expected: () => OriginAnswer): void {
    const group = trafficGroup(request);
    let counters = this.byGroup.get(group);
    if (!counters) {
      counters = emptyCounters();
      this.byGroup.set(group, counters);
    }
    for (const target of [this.total, counters]) {
      target.requests++;
      if (served.fromCache) target.hits++;
      target.clientBytes += served.answer.bytes;
      target.originBytes += served.originBytes;
      target.originRequests += served.originRequests;
    }
    if (served.answer.owner !== null && served.answer.owner !== request.client) this.leaks++;
    if (served.fromStore) {
      const truth = expected();
      if (truth.representation !== served.answer.representation && truth.status === 200 && served.answer.status === 200) this.wrongRepresentation++;
      if (truth.version !== served.answer.version) this.staleServed++;
    }
  }

  result(): OffloadResult {
    const { requests, hits, clientBytes, originBytes, originRequests } = this.total;
    const groups = TRAFFIC_GROUPS;
    return {
      hitRatio: hits / requests,
      byteOffload: clientBytes > 0 ? 1 - originBytes / clientBytes : 0,
      originPerThousand: (originRequests / requests) * 1000,
      leaks: this.leaks,
      wrongRepresentation: this.wrongRepresentation,
      staleServed: this.staleServed,
      byGroup: Object.fromEntries(groups.map((group) => [group, this.byGroup.get(group) ?? emptyCounters()])) as Record<TrafficGroup, Counters>,
    };
  }
}

export interface ReplayOptions {
  seed: number;
  /** Requests counted. */
  requests: number;
  /** Requests before those that only fill the caches (a CDN in service is never empty). */
  warmupRequests: number;
  authorizedFetch: boolean;
  policies: ReadonlyArray<(origin: OriginModel) => OffloadPolicy>;
}

export interface ReplayOutcome {
  results: Record<string, OffloadResult>;
  /** Requests counted (after the warm-up). */
  requests: number;
  warmupRequests: number;
  /** Simulated time of the counted requests. */
  simulatedSeconds: number;
  /** Distinct URLs among the counted requests. */
  distinctUrls: number;
}

export async function replay(options: ReplayOptions): Promise<ReplayOutcome> {
  const workload = new MastodonWorkload({ seed: options.seed, requests: options.warmupRequests + options.requests });
  const originOptions = { seed: options.seed, authorizedFetch: options.authorizedFetch, startMs: START_MS, durationMs: workload.durationMs };
  // Each policy gets its own origin (the same model) so no policy's requests shift another's state.
  const runs = options.policies.map((create) => {
    const origin = new OriginModel(originOptions);
    return { policy: create(origin), tally: new Tally() };
  });
  const truth = new OriginModel(originOptions);
  const urls = new Set<string>();
  let index = 0;
  let first = START_MS;
  let last = START_MS;
  for (const request of workload.requests()) {
    const counted = index++ >= options.warmupRequests;
    if (!counted) {
      for (const run of runs) await run.policy.serve(request);
      continue;
    }
    if (urls.size === 0) first = request.atMs;
    urls.add(`${request.host}${request.target}`);
    last = request.atMs;
    let expected: OriginAnswer | null = null;
    const expectedAnswer = () => (expected ??= truth.answer(request, request.headers, request.atMs));
    for (const run of runs) run.tally.add(request, await run.policy.serve(request), expectedAnswer);
  }
  return {
    results: Object.fromEntries(runs.map((run) => [run.policy.name, run.tally.result()])),
    requests: options.requests,
    warmupRequests: options.warmupRequests,
    simulatedSeconds: (last - first) / 1000,
    distinctUrls: urls.size,
  };
}
