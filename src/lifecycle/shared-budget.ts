import type { Clock } from '../clock';
import type { RateLimitState } from '../fastly/gateway';
import type { Repository } from '../store';
import { type ProbeBudget, pacedSlot } from './budget';

/**
 * The probe budget as the worker uses it: the pace (one probe per `spacingMs`) is kept in the
 * database, so every worker process on one database shares one `share × writeLimitPerHour`, spread
 * evenly over the hour; Fastly's gates (its 429, the user's writes left this hour) come from the
 * in-process `ProbeBudget`, which learns them from Fastly's answers.
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
    const spacing = this.gates.spacingMs;
    // Probes are recorded at least a spacing apart: two within the last two spacings mean one
    // within the last; one is the last probe, whose slot this one follows.
    const { count, oldestAt } = await this.store.probesSince(new Date(now - 2 * spacing));
    if (count > 1) return false;
    const slot = pacedSlot(oldestAt === null ? null : oldestAt.getTime(), now, spacing, this.gates.lateCreditMs);
    if (slot === null) return false;
    // Recorded only if no process recorded a probe within a spacing before it since this read.
    return this.store.takeProbe(new Date(slot), new Date(slot - spacing), 1);
  }

  /** Earliest time (epoch ms) a probe may be taken; now or earlier when one may be taken now. */
  async nextAvailableAt(): Promise<number> {
    const now = this.clock.now();
    const { oldestAt } = await this.store.probesSince(new Date(now - this.gates.spacingMs));
    const paced = oldestAt === null ? now : oldestAt.getTime() + this.gates.spacingMs;
    return Math.max(paced, this.gates.gatedUntil());
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
