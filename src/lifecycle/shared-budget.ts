import type { Clock } from '../clock';
import type { RateLimitState } from '../fastly/gateway';
import type { Repository } from '../store';
import type { ProbeBudget } from './budget';

/**
 * The probe budget as the worker uses it: the probes of the sliding hour are counted in the
 * database, so every worker process on one database shares one `share × writeLimitPerHour`;
 * Fastly's gates (its 429, the user's writes left this hour) come from the in-process
 * `ProbeBudget`, which learns them from Fastly's answers.
 */
export class SharedProbeBudget {
  constructor(
    private readonly gates: ProbeBudget,
    private readonly store: Repository,
    private readonly clock: Clock,
  ) {}

  /** Take one probe if the budget allows it now; the database decides between processes. */
  async tryTake(rateLimit?: RateLimitState): Promise<boolean> {
    const now = this.clock.now();
    if (this.gates.gatedUntil(rateLimit) > now) return false;
    return this.store.takeProbe(new Date(now), new Date(now - this.gates.windowMs), this.gates.capacity);
  }

  /** Earliest time (epoch ms) a probe may be taken; now or earlier when one may be taken now. */
  async nextAvailableAt(): Promise<number> {
    const now = this.clock.now();
    const { count, oldestAt } = await this.store.probesSince(new Date(now - this.gates.windowMs));
    const windowFree = count < this.gates.capacity || oldestAt === null ? now : oldestAt.getTime() + this.gates.windowMs;
    return Math.max(windowFree, this.gates.gatedUntil());
  }

  /** Until when Fastly's rate limit (a 429) holds every write back (epoch ms; past when none). */
  pausedUntil(): number {
    return this.gates.pausedUntil();
  }

  /** Fastly answered 429: no write until its reset. */
  pauseUntil(resetAt: Date): void {
    this.gates.pauseUntil(resetAt);
  }
}
