// bench/out/summary.json, in the schema of issue 6. Ratios are fractions; a number that could not
// be measured is null.

export interface OffloadSummary {
  hitRatio: number;
  byteOffload: number;
  originPerThousand: number;
  leaks: number;
}

export interface DetectionSummary {
  p50Seconds: number;
  p95Seconds: number;
  maxSeconds: number;
  probesPerHourPerDomain: number;
  budgetShare: number;
}

export type DetectionByWaiting = { n1: DetectionSummary; n10: DetectionSummary; n100: DetectionSummary };

export interface Summary {
  offload: { edgeplane: OffloadSummary; anchor: OffloadSummary; ideal: OffloadSummary };
  detection: {
    edgeplane: DetectionByWaiting;
    edgeplaneHinted: DetectionByWaiting;
    roundRobin: DetectionByWaiting;
    certManager: DetectionByWaiting;
    cloudflare: DetectionByWaiting;
  };
  overhead: {
    decisionMicros: number | null;
    edgeBundleBytes: number | null;
    wasmBytes: number | null;
    apiVsBareHono: number | null;
    /** Requests per second of the domain list's largest page (`?limit=1000`), 10,000 domains. */
    apiLargePageRps: number | null;
    tickMillis10k: number | null;
    /** The local edge's peak resident memory above idle while serving a 1 GiB object (MB), and its time to first byte. */
    localEdgeLargeObjectMb: number | null;
    localEdgeFirstByteMs: number | null;
  };
}

export const round = (value: number, digits: number) => Number(value.toFixed(digits));

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

/** The targets of issue 6, checked against the run (null: not measured). */
export function checkTargets(summary: Summary): TargetCheck[] {
  const { edgeplane, anchor, ideal } = summary.offload;
  const n10 = summary.detection.edgeplane.n10;
  const n100 = summary.detection.edgeplane.n100;
  const decision = summary.overhead.decisionMicros;
  return [
    {
      target: "edgeplane's byte offload >= 95 % of ideal",
      measured: `${((edgeplane.byteOffload / ideal.byteOffload) * 100).toFixed(1)} % of ideal`,
      met: edgeplane.byteOffload >= 0.95 * ideal.byteOffload,
    },
    {
      target: 'edgeplane >= anchor in hit ratio',
      measured: `${edgeplane.hitRatio.toFixed(4)} vs ${anchor.hitRatio.toFixed(4)}`,
      met: edgeplane.hitRatio >= anchor.hitRatio,
    },
    {
      target: 'edgeplane >= anchor in byte offload',
      measured: `${edgeplane.byteOffload.toFixed(4)} vs ${anchor.byteOffload.toFixed(4)}`,
      met: edgeplane.byteOffload >= anchor.byteOffload,
    },
    { target: 'leaks = 0 (edgeplane)', measured: String(edgeplane.leaks), met: edgeplane.leaks === 0 },
    { target: 'detection p95 <= 300 s with 10 waiting', measured: `${n10.p95Seconds.toFixed(0)} s`, met: n10.p95Seconds <= 300 },
    {
      target: 'probe spend <= 25 % of the write budget with 100 waiting',
      measured: `${(n100.budgetShare * 100).toFixed(1)} %`,
      met: n100.budgetShare <= 0.25,
    },
    {
      target: 'a decision <= 5 µs',
      measured: decision === null ? 'not measured' : `${decision.toFixed(2)} µs`,
      met: decision === null ? null : decision <= 5,
    },
  ];
}
