import { ManualClock } from '../../src/clock';
import type { RateLimitState } from '../../src/fastly/gateway';
import { ProbeBudget } from '../../src/lifecycle/budget';
import { SERVED_PROBE_MS } from '../../src/lifecycle/release-hint';
import { nextProbeDelay } from '../../src/lifecycle/schedule';
import { MinHeap } from '../min-heap';
import { seededRandom } from '../random';
import { percentile, sortedAscending } from '../stats';
import { certManagerDelay, cloudflareDelay } from './schedules';

// Release detection with a simulated clock. In every trial, `domains` domains start waiting at
// once (t = 0, when their first attach is refused) and each is released at its own uniformly
// random time within 48 h. edgeplane runs as its retry worker does: `nextProbeDelay` from the
// first refusal, each probe drawn from the shared `ProbeBudget` (25 % of the limit), due
// work picked up at the worker's next one-second poll, and when more are due than the budget
// allows, the one due longest goes first (a probed domain goes behind all that still wait). The round-robin limit is what the budget allows at
// best: its probes spread evenly over the waiting domains, one every `spacing`, in turn, with no
// poll and no schedule of their own. Every schedule runs on the same trials (same seeds, same
// release times). Every probe is one Fastly write. Fastly itself refuses writes past its hourly
// limit (429, modelled as the simulator does): a refused probe detects nothing, whatever the schedule.

const HOUR_MS = 3_600_000;
const FASTLY_WRITE_LIMIT_PER_HOUR = 1000;
export const RELEASE_WINDOW_MS = 48 * HOUR_MS;

export type ScheduleName = 'edgeplane' | 'edgeplaneHinted' | 'roundRobin' | 'certManager' | 'cloudflare';

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
  /** Place in domain-name order (`site<index>.example`): the worker's tie-break. */
  rank: number;
  releaseAtMs: number;
  /**
   * When the old service was deactivated: from then on Fastly's edge says "unknown domain". The
   * release follows it by a delay uniform in 0–2 h (`deactivationLeads`).
   */
  deactivatedAtMs: number;
  /** The last write (first attach or probe). */
  lastWriteAtMs: number;
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

/** The retry worker's poll interval (LeasedRetryWorker's default): due work waits for the next tick. */
const WORKER_POLL_MS = 1000;
const nextTick = (ms: number) => Math.ceil(ms / WORKER_POLL_MS) * WORKER_POLL_MS;

export interface DetectionOptions {
  schedule: ScheduleName;
  /** edgeplane's EDGEPLANE_RETRY_MAX; default the lifecycle's. */
  retryMaxMs?: number;
  domains: number;
  trials: number;
  seed: number;
  /** Releases are uniform in [0, windowMs); default 48 h. */
  windowMs?: number;
  /**
   * Writes the lifecycle makes besides probes, as the end-to-end run counts them: before the
   * first attaches (provisioning the service), per first attach, and after a detecting probe
   * (activation, TLS, the caching switch), all at the time of the step that makes them.
   */
  otherWrites?: { setup: number; perAttach: number; perDetection: number };
}

/** The trial's release times as fractions of the window, one per domain: the same for every schedule. */
export function releaseTimes(seed: number, trial: number, domains: number): number[] {
  const random = seededRandom(seed * 1_000_003 + trial);
  return Array.from({ length: domains }, () => random.next());
}

/** How long before its release each domain's old service was deactivated: uniform in 0–2 h. */
export function deactivationLeads(seed: number, trial: number, domains: number): number[] {
  const random = seededRandom(seed * 2_000_003 + trial);
  return Array.from({ length: domains }, () => random.next() * DEACTIVATION_LEAD_MAX_MS);
}

const DEACTIVATION_LEAD_MAX_MS = 2 * HOUR_MS;

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

/** Domain names sort as strings: site0, site1, site10, site11, …, site2. */
function nameRanks(domains: number): number[] {
  const names = Array.from({ length: domains }, (_, index) => `site${index}.example`);
  const sorted = [...names].sort();
  return names.map((name) => sorted.indexOf(name));
}

class Trial {
  readonly limit = new FastlyWriteLimit();
  readonly probesByHour = new Map<number, number>();
  readonly domains: WaitingDomain[];
  readonly outcome: TrialOutcome;

  constructor(
    readonly options: Omit<DetectionOptions, 'trials'>,
    trial: number,
  ) {
    const windowMs = options.windowMs ?? RELEASE_WINDOW_MS;
    const ranks = nameRanks(options.domains);
    const leads = deactivationLeads(options.seed, trial, options.domains);
    this.domains = releaseTimes(options.seed, trial, options.domains).map((fraction, index) => ({
      index,
      rank: ranks[index]!,
      releaseAtMs: fraction * windowMs,
      // Deactivated before the wait began when the lead reaches back past it.
      deactivatedAtMs: Math.max(0, fraction * windowMs - leads[index]!),
      lastWriteAtMs: 0,
      failedAttempts: 0,
      dueAtMs: 0,
    }));
    this.outcome = { delaysMs: new Array<number>(options.domains).fill(Number.NaN), probes: 0, rateLimited: 0, waitingMs: 0, busiestHour: 0 };
  }

  write(atMs: number, count: number): void {
    for (let write = 0; write < count; write++) this.limit.tryWrite(atMs);
  }

  /** Sends the domain's attempt at `sentAtMs`; true when it detected the release. */
  send(domain: WaitingDomain, sentAtMs: number): boolean {
    const firstAttempt = domain.failedAttempts === 0;
    // The first attach is the same write under every schedule; probes are the ones after it.
    if (!firstAttempt) {
      this.outcome.probes++;
      const hour = Math.floor(sentAtMs / HOUR_MS);
      this.probesByHour.set(hour, (this.probesByHour.get(hour) ?? 0) + 1);
    }
    const accepted = this.limit.tryWrite(sentAtMs);
    if (!accepted) this.outcome.rateLimited++;
    if (accepted && sentAtMs >= domain.releaseAtMs) {
      this.outcome.delaysMs[domain.index] = sentAtMs - domain.releaseAtMs;
      this.outcome.waitingMs += sentAtMs;
      this.write(sentAtMs, this.options.otherWrites?.perDetection ?? 0);
      return true;
    }
    if (firstAttempt) this.write(sentAtMs, this.options.otherWrites?.perAttach ?? 0);
    domain.failedAttempts++;
    domain.lastWriteAtMs = sentAtMs;
    return false;
  }

  finish(): TrialOutcome {
    for (const count of this.probesByHour.values()) this.outcome.busiestHour = Math.max(this.outcome.busiestHour, count);
    return this.outcome;
  }
}

/** cert-manager and Cloudflare: every attempt goes out when its schedule says, with no budget. */
function runUnbudgeted(trial: Trial, delay: (failedAttempts: number) => number): void {
  const queue = new MinHeap<WaitingDomain>((domain) => domain.dueAtMs);
  for (const domain of trial.domains) queue.push(domain);
  for (let domain = queue.pop(); domain; domain = queue.pop()) {
    if (trial.send(domain, domain.dueAtMs)) continue;
    domain.dueAtMs += delay(domain.failedAttempts);
    queue.push(domain);
  }
}

/**
 * edgeplane's retry worker: at each one-second poll the due domains wait for the budget, and
 * each probe it allows goes to the one due longest (ties in name order).
 */
function runWorker(trial: Trial, seed: number, retryMaxMs: number | undefined, hinted: boolean): void {
  const clock = new ManualClock(0);
  const budget = new ProbeBudget({ clock, writeLimitPerHour: FASTLY_WRITE_LIMIT_PER_HOUR });
  const jitter = seededRandom(seed);
  const count = trial.domains.length;
  const pending = new MinHeap<WaitingDomain>((domain) => domain.dueAtMs);
  // The worker's order (Repository.listDue): the oldest due first, which puts a probed domain
  // behind every one still waiting. Due times are whole milliseconds: the rank's fraction only breaks ties.
  const due = new MinHeap<WaitingDomain>((domain) => domain.dueAtMs + domain.rank / (count + 1));
  // With hints a waiting domain is due at the fast rate: each time the edge says whether to write.
  const delay = (nowMs: number) =>
    nextProbeDelay({ waitingSinceMs: hinted ? nowMs : 0, nowMs, random: jitter.next, ...(retryMaxMs === undefined ? {} : { maxMs: retryMaxMs }) });
  const sendAndReschedule = (domain: WaitingDomain, nowMs: number) => {
    if (trial.send(domain, nowMs)) return;
    domain.dueAtMs = nowMs + delay(nowMs);
    pending.push(domain);
  };
  trial.write(0, trial.options.otherWrites?.setup ?? 0);
  // The first attaches are not probes: the first poll makes them all, in name order.
  for (const domain of [...trial.domains].sort((a, b) => a.rank - b.rank)) sendAndReschedule(domain, 0);
  let nowMs = 0;
  while (pending.size > 0 || due.size > 0) {
    while (pending.size > 0 && pending.peek()!.dueAtMs <= nowMs) due.push(pending.pop()!);
    if (due.size === 0) {
      nowMs = nextTick(pending.peek()!.dueAtMs);
      continue;
    }
    clock.set(nowMs);
    // The worker lists waiting domains only while the budget has a probe to give.
    if (budget.nextAvailableAt() > nowMs) {
      nowMs = Math.max(nowMs + WORKER_POLL_MS, nextTick(budget.nextAvailableAt()));
      continue;
    }
    if (!hinted) {
      if (budget.tryTake(trial.limit.lastSeen)) sendAndReschedule(due.pop()!, nowMs);
      else nowMs = Math.max(nowMs + WORKER_POLL_MS, nextTick(budget.nextAvailableAt()));
      continue;
    }
    // Hinted (decideOnHint): every due domain's edge is read; one needing a write gets the probe,
    // sent once every due domain is decided (as the worker steps the domains it chose after the
    // choice, so the jitter is drawn in the same order).
    const held: WaitingDomain[] = [];
    let probed: WaitingDomain | undefined;
    for (let domain = due.pop(); domain; domain = due.pop()) {
      const unknown = nowMs >= domain.deactivatedAtMs;
      if (!unknown && nowMs - domain.lastWriteAtMs < SERVED_PROBE_MS) {
        domain.dueAtMs = nowMs + delay(nowMs);
        pending.push(domain);
      } else if (!probed && budget.tryTake(trial.limit.lastSeen)) {
        probed = domain;
      } else held.push(domain);
    }
    for (const domain of held) due.push(domain);
    if (probed) sendAndReschedule(probed, nowMs);
    else nowMs = Math.max(nowMs + WORKER_POLL_MS, nextTick(budget.nextAvailableAt()));
  }
}

/**
 * The round-robin limit: the budget spread evenly over the N waiting domains, one probe every
 * `spacing` to each in turn, so each is probed once per N × spacing (with 10 waiting, 144 s). A
 * found domain keeps its turn (as if another started waiting in its place), so the limit is that
 * of N waiting throughout, as issue 18 states it (p95 ≈ 0.95 × N × 14.4 s).
 */
function runRoundRobin(trial: Trial): void {
  const budget = new ProbeBudget({ clock: new ManualClock(0), writeLimitPerHour: FASTLY_WRITE_LIMIT_PER_HOUR });
  const spacingMs = budget.windowMs / budget.capacity;
  const turns = [...trial.domains].sort((a, b) => a.rank - b.rank);
  const found = new Set(turns.filter((domain) => trial.send(domain, 0)));
  for (let slot = 1; found.size < turns.length; slot++) {
    const domain = turns[(slot - 1) % turns.length]!;
    if (!found.has(domain) && trial.send(domain, slot * spacingMs)) found.add(domain);
  }
}

export function simulateTrial(options: Omit<DetectionOptions, 'trials'>, trial: number): TrialOutcome {
  const run = new Trial(options, trial);
  const seed = trialJitterSeed(options.seed, trial);
  if (options.schedule === 'edgeplane' || options.schedule === 'edgeplaneHinted')
    runWorker(run, seed, options.retryMaxMs, options.schedule === 'edgeplaneHinted');
  else if (options.schedule === 'roundRobin') runRoundRobin(run);
  else runUnbudgeted(run, options.schedule === 'certManager' ? certManagerDelay : cloudflareDelay);
  return run.finish();
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
