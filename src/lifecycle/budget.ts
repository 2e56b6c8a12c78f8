import type { Clock } from '../clock';
import type { RateLimitState } from '../fastly/gateway';

export interface ProbeBudgetOptions {
  clock: Clock;
  /** Fastly's write limit: non-GET requests per hour per user. */
  writeLimitPerHour?: number;
  /** Share of that limit the probes may use; default 25 %. */
  share?: number;
  windowMs?: number;
  /** How late a probe may be taken and still count at its slot; default the worker's poll. */
  lateCreditMs?: number;
}

const HOUR_MS = 60 * 60_000;
/** The retry worker's default poll: a probe at most this late counts at its slot (`assemble.ts` passes the worker's own). */
export const DEFAULT_LATE_CREDIT_MS = 1_000;

/**
 * The time a probe asked for at `nowMs` counts at, or null while the pace forbids one: none
 * within `spacingMs` of the last; the last's next slot (`lastMs + spacingMs`) when the taker is
 * at most `lateCreditMs` past it, so probes taken at the worker's one-second polls keep the pace
 * instead of losing up to a poll each time; `nowMs` when later than that, so neither a pause nor
 * a probe taken late for another reason (no domain needed one at its slot) earns credit. A probe
 * counts at most `lateCreditMs` before it is sent; the spacing covers that (`ProbeBudget`).
 */
export function pacedSlot(lastMs: number | null, nowMs: number, spacingMs: number, lateCreditMs = DEFAULT_LATE_CREDIT_MS): number | null {
  if (lastMs === null) return nowMs;
  const next = lastMs + spacingMs;
  if (nowMs < next) return null;
  return nowMs - next <= lateCreditMs ? next : nowMs;
}

/**
 * The one budget all probes of waiting domains draw from: `share × writeLimitPerHour` probes an
 * hour, paced one every `spacingMs`, so a crowd of waiting domains cannot spend the hour's share
 * in its first minutes and then starve for the rest of it. The spacing is the hour and the late
 * credit over the capacity (14.404 s for 250): a probe is sent at most the credit after the slot
 * it counts at, so `capacity` spacings span the hour even when the first of them was sent late,
 * and no sliding hour of sending times ever holds more than the capacity. None while Fastly's rate
 * limit is in force (after a 429, until its reset), and none once Fastly reports that the user's
 * writes this hour (everyone's, every process's) have used up the share, so the rest of the limit
 * stays for the operator's changes. Which domain gets the next probe is the worker's business
 * (the one due longest, which is the least recently probed); the budget only says whether and
 * when. It paces in memory, for one process (the benchmark uses it so); the worker paces in the
 * database through `SharedProbeBudget`, which uses this one's gates.
 */
export class ProbeBudget {
  readonly capacity: number;
  /** The least time between two probes' slots (whole milliseconds, rounded up). */
  readonly spacingMs: number;
  readonly lateCreditMs: number;
  /** Writes Fastly must still allow this hour for a probe to go out. */
  private readonly reserve: number;
  readonly windowMs: number;
  private readonly clock: Clock;
  /** The slot (`pacedSlot`) of the last probe taken. */
  private lastTakenMs: number | null = null;
  /** Fastly's 429: every write waits. */
  private pausedUntilMs = 0;
  /** Fastly says the user's writes used the share this hour: probes wait. */
  private shareUsedUntilMs = 0;

  constructor(options: ProbeBudgetOptions) {
    const limit = options.writeLimitPerHour ?? 1000;
    const share = options.share ?? 0.25;
    if (!(share > 0 && share <= 1)) throw new RangeError(`budget share must be in (0, 1], got ${share}`);
    this.clock = options.clock;
    this.windowMs = options.windowMs ?? HOUR_MS;
    this.capacity = Math.max(1, Math.floor(limit * share));
    this.reserve = limit - this.capacity;
    this.lateCreditMs = options.lateCreditMs ?? DEFAULT_LATE_CREDIT_MS;
    this.spacingMs = Math.ceil((this.windowMs + this.lateCreditMs) / this.capacity);
  }

  /** Take one probe if the budget allows it now. */
  tryTake(rateLimit?: RateLimitState): boolean {
    const now = this.clock.now();
    if (this.gatedUntil(rateLimit) > now) return false;
    const slot = pacedSlot(this.lastTakenMs, now, this.spacingMs, this.lateCreditMs);
    if (slot === null) return false;
    this.lastTakenMs = slot;
    return true;
  }

  /** Earliest time (epoch ms) a probe may be taken; now or earlier when one may be taken now. */
  nextAvailableAt(): number {
    const paced = this.lastTakenMs === null ? this.clock.now() : this.lastTakenMs + this.spacingMs;
    return Math.max(paced, this.gatedUntil());
  }

  /**
   * Until when Fastly's side holds probes back (its 429, or the user's writes having used the
   * share), noting `rateLimit` first; the pace of our own probes is not part of it.
   */
  gatedUntil(rateLimit?: RateLimitState): number {
    this.noteFastlyLimit(rateLimit);
    return Math.max(this.pausedUntilMs, this.shareUsedUntilMs);
  }

  /** Until when Fastly's rate limit (a 429) holds every write back, not just probes (epoch ms; past when none). */
  pausedUntil(): number {
    return this.pausedUntilMs;
  }

  /** Fastly answered 429: no probe until its reset. */
  pauseUntil(resetAt: Date): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, resetAt.getTime());
  }

  private noteFastlyLimit(rateLimit: RateLimitState | undefined): void {
    if (!rateLimit || rateLimit.remaining === null || rateLimit.resetAt === null) return;
    if (rateLimit.remaining <= this.reserve) this.shareUsedUntilMs = Math.max(this.shareUsedUntilMs, rateLimit.resetAt.getTime());
  }
}
