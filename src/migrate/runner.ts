import type { FastlyGateway } from '../fastly/gateway';
import type { LifecycleContext } from '../lifecycle/context';
import { unavailableDelay } from '../lifecycle/schedule';
import { serviceLeaseKey } from '../lifecycle/worker';
import type { Lease } from '../store';
import { stepRun } from './run-job';
import type { MigrationRun } from './run-model';

// The migration job: each tick steps the due runs, each under its service's lease (the one the
// retry job and operator actions take), saving after every step with writes fenced by the lease.
// It runs inside the retry worker's tick (`serve`, `worker`, `npm start`), before the domains.

/** Steps one run may take in a row within a tick while each leaves the next one due at once. */
const MAX_CHAINED_STEPS = 20;
/** Runs stepped per tick at most. */
const RUNS_PER_TICK = 10;

export interface MigrationRunnerOptions {
  workerId: string;
  leaseMs: number;
  /** A gateway for the old account's token (same API, same call reporting). */
  gatewayFor: (token: string) => FastlyGateway;
}

export class MigrationRunner {
  constructor(
    private readonly ctx: LifecycleContext,
    private readonly options: MigrationRunnerOptions,
  ) {}

  /** Steps every due run; resolves to how many steps were taken. */
  async tick(deadline = Number.POSITIVE_INFINITY): Promise<number> {
    const { store, clock } = this.ctx;
    let stepped = 0;
    for (const { id, service } of await store.listDueMigrations(new Date(clock.now()), RUNS_PER_TICK)) {
      if (clock.now() >= deadline) break;
      const lease = await this.renewLease(service);
      if (!lease) continue;
      try {
        stepped += await this.runChain(id, lease, deadline);
      } finally {
        await store.releaseLease(serviceLeaseKey(service), this.options.workerId);
      }
    }
    return stepped;
  }

  private async runChain(id: string, first: Lease, deadline: number): Promise<number> {
    const { store, clock } = this.ctx;
    const token = await store.getMigrationToken(id);
    if (token === null) return 0;
    const old = this.options.gatewayFor(token);
    let lease: Lease | null = first;
    let steps = 0;
    for (let step = 0; step < MAX_CHAINED_STEPS && lease && clock.now() < deadline; step++) {
      // Read again under the lease: another process may have stepped or cancelled it.
      const run = await store.getMigration(id);
      if (!run || !isDue(run, clock.now())) break;
      const ctx = { ...this.ctx, store: store.fencedBy(lease) };
      let next: MigrationRun;
      try {
        next = await stepRun(ctx, old, run);
      } catch (error) {
        await this.postpone(run, error);
        break;
      }
      await ctx.store.saveMigration(next);
      steps += 1;
      if (next.status !== 'running' || !isDue(next, clock.now())) break;
      lease = await this.renewLease(run.service);
    }
    return steps;
  }

  /** A step failed for a reason of ours (database, bug): log it and try again later. */
  private async postpone(run: MigrationRun, error: unknown): Promise<void> {
    const { logger, clock, store, retry, random } = this.ctx;
    logger.error({ err: error, service: run.service, migration: run.id }, 'migration step failed unexpectedly');
    const detail = error instanceof Error ? error.message : String(error);
    try {
      await store.saveMigration({
        ...run,
        lastError: { code: 'internal', detail },
        nextAttemptAt: new Date(clock.now() + unavailableDelay({ ...retry, random })).toISOString(),
      });
    } catch (saveError) {
      logger.error({ err: saveError, migration: run.id }, 'could not postpone the migration');
    }
  }

  private renewLease(service: string): Promise<Lease | null> {
    return this.ctx.store.acquireLease(serviceLeaseKey(service), this.options.workerId, new Date(this.ctx.clock.now()), this.options.leaseMs);
  }
}

const isDue = (run: MigrationRun, nowMs: number) => run.nextAttemptAt !== null && Date.parse(run.nextAttemptAt) <= nowMs;
