import { ManualClock } from '../../src/clock';
import type { RateLimitState } from '../../src/fastly/gateway';
import { ProbeBudget } from '../../src/lifecycle/budget';
import { nextProbeDelay } from '../../src/lifecycle/schedule';
import { MinHeap } from '../min-heap';
import { seededRandom } from '../random';
import { percentile, sortedAscending } from '../stats';
import { certManagerDelay, cloudflareDelay } from './schedules';

// Release detection with a simulated clock. In every trial, `domains` domains start waiting at
// once (t = 0, when their first attach is refused) and each is released at its own uniformly
// random time within 48 h. edgeplane runs as its retry worker does: `nextProbeDelay` from the
// first refusal, each probe drawn from the shared `ProbeBudget` (25 % of the limit), due work
// picked up at the worker's next one-second poll. Every schedule runs on the same trials (same seeds, same release
// times). Every probe is one Fastly write. Fastly itself refuses writes past its hourly limit
// (429, modelled as the simulator does): a refused probe detects nothing, whatever the schedule.

const HOUR_MS = 3_600_000;
export const FASTLY_WRITE_LIMIT_PER_HOUR = 1000;
export const RELEASE_WINDOW_MS = 48 * HOUR_MS;

export type ScheduleName = 'edgeplane' | 'certManager' | 'cloudflare';

export interface DetectionResult {
  p50Seconds: number;
  p95Seconds: number;
  maxSeconds: number;
  /** Probes (writes after the first refused attach) per hour of waiting, per domain. */
  probesPerHourPerDomain: number;
  /** Probes in the busiest clock hour of any trial, as a fraction of Fastly's hourly write limit. */
  budgetShare: number;
  /** Probes Fastly refused with 429 because the account's write limit was used up. */
  rateLimited: number;
  samples: number;
}

interface WaitingDomain {
  index: number;
  releaseAtMs: number;
  failedAttempts: number;
  dueAtMs: number;
}

/**
 * Fastly's write limit as the simulator models it: a window opens with the first write and lasts
 * an hour; past the limit a write gets 429 (and does not count). Every accepted write reports
 * what Fastly-RateLimit-Remaining and -Reset would say.
 */
class FastlyWriteLimit {
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private count = 0;
  /** What the gateway last read from Fastly's headers. */
  lastSeen: RateLimitState = { remaining: null, resetAt: null };

  tryWrite(nowMs: number): boolean {
    if (nowMs >= this.windowStartMs + HOUR_MS) {
      this.windowStartMs = nowMs;
      this.count = 0;
    }
    const resetAt = new Date(this.windowStartMs + HOUR_MS);
    if (this.count >= FASTLY_WRITE_LIMIT_PER_HOUR) {
      this.lastSeen = { remaining: 0, resetAt };
      return false;
    }
    this.count++;
    this.lastSeen = { remaining: FASTLY_WRITE_LIMIT_PER_HOUR - this.count, resetAt };
    return true;
  }
}

interface Prober {
  /** When the attempt of a domain due at `dueAtMs` goes out (later when rationed), given Fastly's last rate-limit headers. */
  sendAt(dueAtMs: number, firstAttempt: boolean, rateLimit: RateLimitState): number;
  /** Delay after a refused probe sent at `nowMs`. */
  delayAfterRefusal(domain: WaitingDomain, nowMs: number): number;
}

/** The retry worker's poll interval (LeasedRetryWorker's default): due work waits for the next tick. */
const WORKER_POLL_MS = 1000;
const nextTick = (ms: number) => Math.ceil(ms / WORKER_POLL_MS) * WORKER_POLL_MS;

function edgeplaneProber(seed: number, retryMaxMs: number | undefined): Prober {
  const clock = new ManualClock(0);
  const budget = new ProbeBudget({ clock, writeLimitPerHour: FASTLY_WRITE_LIMIT_PER_HOUR });
  const jitter = seededRandom(seed);
  return {
    sendAt(dueAtMs, firstAttempt, rateLimit) {
      clock.set(Math.max(clock.now(), nextTick(dueAtMs)));
      // The first attach is not a probe; probes of waiting domains draw from the shared budget
      // (which also heeds what Fastly says of all the user's writes this hour), and a domain
      // denied one keeps its place: the oldest due goes first when room frees up.
      if (!firstAttempt) while (!budget.tryTake(rateLimit)) clock.set(nextTick(budget.nextAvailableAt()));
      return clock.now();
    },
    delayAfterRefusal(_domain, nowMs) {
      return nextProbeDelay({ waitingSinceMs: 0, nowMs, random: jitter.next, ...(retryMaxMs === undefined ? {} : { maxMs: retryMaxMs }) });
    },
  };
}

function attemptCountProber(delay: (failedAttempts: number) => number): Prober {
  return {
    sendAt: (dueAtMs) => dueAtMs,
    delayAfterRefusal: (domain) => delay(domain.failedAttempts),
  };
}

function proberFor(schedule: ScheduleName, seed: number, retryMaxMs: number | undefined): Prober {
  if (schedule === 'edgeplane') return edgeplaneProber(seed, retryMaxMs);
  return attemptCountProber(schedule === 'certManager' ? certManagerDelay : cloudflareDelay);
}

export interface DetectionOptions {
  schedule: ScheduleName;
  /** edgeplane's EDGEPLANE_RETRY_MAX; default the lifecycle's. */
  retryMaxMs?: number;
  domains: number;
  trials: number;
  seed: number;
  /** Releases are uniform in [0, windowMs); default 48 h. */
  windowMs?: number;
}

/** The trial's release times as fractions of the window, one per domain: the same for every schedule. */
export function releaseTimes(seed: number, trial: number, domains: number): number[] {
  const random = seededRandom(seed * 1_000_003 + trial);
  return Array.from({ length: domains }, () => random.next());
}

/** The jitter source of a trial; the end-to-end run hands the same one to the real worker. */
export const trialJitterSeed = (seed: number, trial: number) => seed * 7_919 + trial;

export interface TrialOutcome {
  /** Release → first accepted probe after it, per domain in order. */
  delaysMs: number[];
  probes: number;
  rateLimited: number;
  /** Sum over domains of the time they waited. */
  waitingMs: number;
  busiestHour: number;
}

export function simulateTrial(options: Omit<DetectionOptions, 'trials'>, trial: number): TrialOutcome {
  const windowMs = options.windowMs ?? RELEASE_WINDOW_MS;
  const prober = proberFor(options.schedule, trialJitterSeed(options.seed, trial), options.retryMaxMs);
  const limit = new FastlyWriteLimit();
  const probesByHour = new Map<number, number>();
  const queue = new MinHeap<WaitingDomain>((domain) => domain.dueAtMs);
  releaseTimes(options.seed, trial, options.domains).forEach((fraction, index) =>
    queue.push({ index, releaseAtMs: fraction * windowMs, failedAttempts: 0, dueAtMs: 0 }),
  );
  const outcome: TrialOutcome = { delaysMs: new Array<number>(options.domains).fill(Number.NaN), probes: 0, rateLimited: 0, waitingMs: 0, busiestHour: 0 };
  for (let domain = queue.pop(); domain; domain = queue.pop()) {
    const firstAttempt = domain.failedAttempts === 0;
    const sentAtMs = prober.sendAt(domain.dueAtMs, firstAttempt, limit.lastSeen);
    // The first attach is the same write under every schedule; probes are the ones after it.
    if (!firstAttempt) {
      outcome.probes++;
      const hour = Math.floor(sentAtMs / HOUR_MS);
      probesByHour.set(hour, (probesByHour.get(hour) ?? 0) + 1);
    }
    const accepted = limit.tryWrite(sentAtMs);
    if (!accepted) outcome.rateLimited++;
    if (accepted && sentAtMs >= domain.releaseAtMs) {
      outcome.delaysMs[domain.index] = sentAtMs - domain.releaseAtMs;
      outcome.waitingMs += sentAtMs;
      continue;
    }
    domain.failedAttempts++;
    domain.dueAtMs = sentAtMs + prober.delayAfterRefusal(domain, sentAtMs);
    queue.push(domain);
  }
  for (const count of probesByHour.values()) outcome.busiestHour = Math.max(outcome.busiestHour, count);
  return outcome;
}

export function simulateDetection(options: DetectionOptions): DetectionResult {
  const delaysMs: number[] = [];
  let probes = 0;
  let rateLimited = 0;
  let waitingMs = 0;
  let busiestHour = 0;
  for (let trial = 0; trial < options.trials; trial++) {
    const outcome = simulateTrial(options, trial);
    delaysMs.push(...outcome.delaysMs);
    probes += outcome.probes;
    rateLimited += outcome.rateLimited;
    waitingMs += outcome.waitingMs;
    busiestHour = Math.max(busiestHour, outcome.busiestHour);
  }
  const sorted = sortedAscending(delaysMs);
  return {
    p50Seconds: percentile(sorted, 50) / 1000,
    p95Seconds: percentile(sorted, 95) / 1000,
    maxSeconds: percentile(sorted, 100) / 1000,
    probesPerHourPerDomain: waitingMs > 0 ? probes / (waitingMs / HOUR_MS) : 0,
    budgetShare: busiestHour / FASTLY_WRITE_LIMIT_PER_HOUR,
    rateLimited,
    samples: delaysMs.length,
  };
}
