import { randomBytes } from 'node:crypto';
import { EdgeplaneError } from '../errors';
import type { LifecycleContext } from '../lifecycle/context';
import { iso } from '../lifecycle/record';
import { withServiceLease } from '../lifecycle/service-lease';
import type { MigrationPlan } from './model';
import { cancelRun, retryRun } from './run-job';
import type { MigrationRun } from './run-model';

// The operator's side of migration runs (API and CLI): start one from a plan, look at them,
// cancel one, retry one that needs attention. The job (runner.ts) carries them out.

const ACTIVE: ReadonlySet<MigrationRun['status']> = new Set(['running', 'waiting']);

export class MigrationRuns {
  constructor(private readonly ctx: LifecycleContext) {}

  /**
   * Records a run of `plan`, due now; the old account's token is kept with it and never shown.
   * A run still going for the service is a conflict; one that stopped for a person is superseded.
   */
  start(plan: MigrationPlan, fromToken: string): Promise<MigrationRun> {
    return withServiceLease(this.ctx, plan.service, async () => {
      const nowMs = this.ctx.clock.now();
      for (const previous of await this.ctx.store.listMigrations(plan.service)) {
        if (ACTIVE.has(previous.status)) {
          throw new EdgeplaneError(
            'conflict',
            `migration ${previous.id} of service "${plan.service}" is still ${previous.status}; cancel it first (edgeplane migrate cancel ${previous.id} --service ${plan.service})`,
          );
        }
      }
      const superseded = (await this.ctx.store.listMigrations(plan.service)).filter((previous) => previous.status === 'needs_attention');
      const id = `mig_${randomBytes(9).toString('base64url')}`;
      for (const previous of superseded) {
        await this.ctx.store.saveMigration({
          ...previous,
          status: 'cancelled',
          nextAttemptAt: null,
          updatedAt: iso(nowMs),
          history: [...previous.history, { at: iso(nowMs), step: null, event: 'superseded', message: `Superseded by migration ${id}` }],
        });
      }
      const first = plan.steps[0];
      const run: MigrationRun = {
        id,
        service: plan.service,
        status: 'running',
        stepsDone: 0,
        plan,
        attempts: 0,
        lastAttemptAt: null,
        nextAttemptAt: iso(nowMs),
        lastError: null,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'Running',
            message: first ? `Step 1 of ${plan.steps.length} next: ${first.description}` : 'No step to take',
            lastTransitionTime: iso(nowMs),
          },
        ],
        history: [
          {
            at: iso(nowMs),
            step: null,
            event: 'started',
            message: `Move ${plan.domains.map(({ domain }) => domain).join(', ')} from the Fastly account ${plan.from.name} (${plan.from.customerId}) in ${plan.steps.length} steps`,
          },
        ],
        createdAt: iso(nowMs),
        updatedAt: iso(nowMs),
      };
      await this.ctx.store.createMigration(run, fromToken);
      return run;
    });
  }

  /** The service's runs, newest first. */
  list(service: string): Promise<MigrationRun[]> {
    return this.ctx.store.listMigrations(service);
  }

  async get(service: string, id: string): Promise<MigrationRun> {
    const run = await this.ctx.store.getMigration(id);
    if (!run || run.service !== service) throw new EdgeplaneError('not_found', `service "${service}" has no migration ${id}`);
    return run;
  }

  /**
   * Takes up a run that needs attention again at the step that failed (a running or waiting run is
   * returned as it is). A done or cancelled run cannot be: a new run (a new plan) is the way then.
   */
  retry(service: string, id: string): Promise<MigrationRun> {
    return withServiceLease(this.ctx, service, async () => {
      const run = await this.get(service, id);
      if (ACTIVE.has(run.status)) return run;
      if (run.status !== 'needs_attention') {
        throw new EdgeplaneError(
          'conflict',
          `migration ${id} of service "${service}" is ${run.status}: only a run that needs attention can be retried; start a new one (edgeplane migrate run --service ${service})`,
        );
      }
      const retried = retryRun(this.ctx, run);
      await this.ctx.store.saveMigration(retried);
      return retried;
    });
  }

  /** Stops the run between two steps (under the service's lease); what is done on the old account stays done. */
  cancel(service: string, id: string): Promise<MigrationRun> {
    return withServiceLease(this.ctx, service, async () => {
      const run = await this.get(service, id);
      if (run.status === 'cancelled' || run.status === 'done') return run;
      const cancelled = await cancelRun(this.ctx, run);
      await this.ctx.store.saveMigration(cancelled);
      return cancelled;
    });
  }
}
