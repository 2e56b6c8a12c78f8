import { type Decision, decideRequest, decideStorage, type RequestFacts } from '../../edge/policy';
import { BENCH_SITE } from '../offload/edgeplane';
import { OriginModel } from '../offload/origin';
import { MastodonWorkload, START_MS } from '../offload/workload';

// Cost of the edge policy's two pure steps on requests of the benchmark mix: decideRequest for
// every request, decideStorage for every origin response of a request the edge may store.

export interface DecisionCost {
  /** Microseconds per decideRequest. */
  requestMicros: number;
  /** Microseconds per decideStorage. */
  storageMicros: number;
  decisionsPerSecond: number;
}

/** Median over five timed stretches of at least `minMs / 5` each, after a warm-up: GC pauses land in one stretch, not in all. */
function timePerCall(calls: number, minMs: number, run: () => void): number {
  run();
  const stretches: number[] = [];
  for (let stretch = 0; stretch < 5; stretch++) {
    let rounds = 0;
    const started = performance.now();
    while (performance.now() - started < minMs / 5) {
      run();
      rounds++;
    }
    stretches.push(((performance.now() - started) * 1000) / (rounds * calls));
  }
  return stretches.sort((a, b) => a - b)[2]!;
}

export function measureDecisions(options: { seed: number; sample: number; minMs: number }): DecisionCost {
  const workload = new MastodonWorkload({ seed: options.seed, requests: options.sample });
  const origin = new OriginModel({ seed: options.seed, authorizedFetch: false, startMs: START_MS, durationMs: workload.durationMs });
  const facts: RequestFacts[] = [];
  const stored: Array<{ decision: Decision; response: { status: number; headers: Headers }; nowMs: number }> = [];
  for (const request of workload.requests()) {
    const fact = {
      method: request.method,
      url: `https://${request.host}${request.target}`,
      headers: new Headers(request.headers),
      clientAddress: '198.51.100.7',
    };
    facts.push(fact);
    const decision = decideRequest(fact, BENCH_SITE, true);
    if (decision.action === 'cache') stored.push({ decision, response: origin.answer(request, request.headers, request.atMs), nowMs: request.atMs });
  }
  let sink = 0;
  const requestMicros = timePerCall(facts.length, options.minMs, () => {
    for (const fact of facts) sink += decideRequest(fact, BENCH_SITE, true).route.length;
  });
  const storageMicros = timePerCall(stored.length, options.minMs, () => {
    for (const { decision, response, nowMs } of stored) sink += decideStorage(decision, response, nowMs).store ? 1 : 0;
  });
  if (sink < 0) throw new Error('unreachable: keeps the timed calls from being optimised away');
  return { requestMicros, storageMicros, decisionsPerSecond: 1e6 / requestMicros };
}
