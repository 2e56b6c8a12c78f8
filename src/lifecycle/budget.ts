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
 * The one budget all probes of waiting domains draw from: at most `share × writeLimitPerHour`
 * probes in any sliding hour; none while Fastly's rate limit is in force (after a 429, until its
 * reset); and none once Fastly reports that the user's writes this hour (everyone's, every
 * process's) have used up the share, so the rest of the limit stays for the operator's changes.
 * Which domain gets the next probe is the worker's business (the oldest due first); the budget
 * only says whether and when. It counts in memory, for one process (the benchmark uses it so);
 * the worker counts in the database through `SharedProbeBudget`, which uses this one's gates.
 */
export class ProbeBudget {
  readonly capacity: number;
  /** Writes Fastly must still allow this hour for a probe to go out. */
  private readonly reserve: number;
  readonly windowMs: number;
  private readonly clock: Clock;
  private readonly taken: number[] = [];
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
  }

  /** Take one probe if the budget allows it now. */
  tryTake(rateLimit?: RateLimitState): boolean {
    const now = this.clock.now();
    if (Math.max(this.gatedUntil(rateLimit), this.nextAvailableAt()) > now) return false;
    this.taken.push(now);
    return true;
  }

  /** Probes still allowed in the current window. */
  remaining(): number {
    this.expire(this.clock.now());
    return this.capacity - this.taken.length;
  }

  /** Earliest time (epoch ms) a probe may be taken; now or earlier when one may be taken now. */
  nextAvailableAt(): number {
    const now = this.clock.now();
    this.expire(now);
    const windowFree = this.taken.length < this.capacity ? now : (this.taken[0] ?? now) + this.windowMs;
    return Math.max(windowFree, this.gatedUntil());
  }

  /**
   * Until when Fastly's side holds probes back (its 429, or the user's writes having used the
   * share), noting `rateLimit` first; the count of our own probes is not part of it.
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

  private expire(now: number): void {
    while (this.taken.length > 0 && (this.taken[0] ?? now) + this.windowMs <= now) this.taken.shift();
  }
}
