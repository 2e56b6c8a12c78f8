// Sizes of a full run and of the quick smoke run (`npm run bench -- --quick`).

export interface BenchSettings {
  quick: boolean;
  seed: number;
  /** Offload: requests counted, and requests before them that only fill the caches. */
  offloadRequests: number;
  offloadWarmup: number;
  /** Release detection: trials per schedule and per number of waiting domains. */
  detectionTrials: number;
  /** Overheads: requests sampled for decision timing, and how long each timing runs. */
  decisionSample: number;
  decisionMinMs: number;
  /** Domains in the store for the API listing and the reconcile tick. */
  storeDomains: number;
  ticks: number;
  throughputMinMs: number;
  /** Build bin/main.wasm when it is missing. */
  buildWasm: boolean;
  /** Domains attached to one service at once (issue 9: 2,000). */
  attachDomains: number;
  /** The object the local edge serves for its memory and first-byte row (issue 11: 1 GiB). */
  largeObjectBytes: number;
  /** The Worker's scheduled tick: idle domains in its local D1, and cron events timed. */
  workerDomains: number;
  workerTicks: number;
}

export function benchSettings(quick: boolean, seed: number): BenchSettings {
  return quick
    ? {
        quick,
        seed,
        offloadRequests: 15_000,
        offloadWarmup: 5_000,
        detectionTrials: 20,
        decisionSample: 5_000,
        decisionMinMs: 300,
        storeDomains: 1_000,
        ticks: 20,
        throughputMinMs: 1_000,
        buildWasm: false,
        attachDomains: 100,
        // Over the local cache's 64 MiB object cap, so it streams through as 1 GiB would.
        largeObjectBytes: 128 * 1024 * 1024,
        workerDomains: 200,
        workerTicks: 5,
      }
    : {
        quick,
        seed,
        // 6 simulated hours at 20 requests/s: the first 1.2 h warm the caches.
        offloadRequests: 345_600,
        offloadWarmup: 86_400,
        detectionTrials: 200,
        decisionSample: 20_000,
        decisionMinMs: 2_000,
        storeDomains: 10_000,
        ticks: 200,
        throughputMinMs: 5_000,
        buildWasm: true,
        attachDomains: 2_000,
        largeObjectBytes: 1024 * 1024 * 1024,
        workerDomains: 1_000,
        workerTicks: 20,
      };
}
