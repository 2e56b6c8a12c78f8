import type { Clock } from '../clock';
import type { RateLimitState } from '../fastly/gateway';

export interface ProbeBudgetOptions {
  clock: Clock;
  /** Fastly's write limit: non-GET requests per hour per user. */
  writeLimitPerHour?: number;
  /** Share of that limit the probes may use; default 25 %. */
  share?: number;
  windowMs?: number;
}

const HOUR_MS = 60 * 60_000;

/**
 * The time a probe asked for at `nowMs` counts at, or null while the pace forbids one: none
 * within `spacingMs` of the last; the last's next slot (`lastMs + spacingMs`) while the taker
 * keeps up with the pace, so probes taken at the worker's one-second polls still average one per
 * spacing; `nowMs` after a longer pause, so no credit piles up.
 */
export function pacedSlot(lastMs: number | null, nowMs: number, spacingMs: number): number | null {
  if (lastMs === null) return nowMs;
  const next = lastMs + spacingMs;
  if (nowMs < next) return null;
  return nowMs - next < spacingMs ? next : nowMs;
}

/**
 * The one budget all probes of waiting domains draw from: `share × writeLimitPerHour` probes an
 * hour, paced one every `spacingMs` (the hour over that capacity: 14.4 s for 250), so a crowd of
 * waiting domains cannot spend the hour's share in its first minutes and then starve for the
 * rest of it, and no sliding hour ever holds more than the capacity. None while Fastly's rate
 * limit is in force (after a 429, until its reset), and none once Fastly reports that the user's
 * writes this hour (everyone's, every process's) have used up the share, so the rest of the limit
 * stays for the operator's changes. Which domain gets the next probe is the worker's business
 * (the one due longest, which is the least recently probed); the budget only says whether and
 * when. It paces in memory, for one process (the benchmark uses it so); the worker paces in the
 * database through `SharedProbeBudget`, which uses this one's gates.
 */
export class ProbeBudget {
  readonly capacity: number;
  /** The least time between two probes (whole milliseconds, rounded up). */
  readonly spacingMs: number;
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
    this.spacingMs = Math.ceil(this.windowMs / this.capacity);
  }

  /** Take one probe if the budget allows it now. */
  tryTake(rateLimit?: RateLimitState): boolean {
    const now = this.clock.now();
    if (this.gatedUntil(rateLimit) > now) return false;
    const slot = pacedSlot(this.lastTakenMs, now, this.spacingMs);
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
