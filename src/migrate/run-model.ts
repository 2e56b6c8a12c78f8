import { z } from 'zod';
import { Condition, LastError, ServiceName } from '../model';
import { MigrationPlan } from './model';

// A migration run: the durable job that carries out a plan (model.ts) step by step. The API and
// the CLI show it; the store keeps it with the old account's token, which it never shows.

const Timestamp = z.iso.datetime();

/**
 * `running`: steps to do; `waiting`: every step done, the domains go through the usual lifecycle
 * on the new account (release probes, TLS, caching) until all are cached; `done`; `needs_attention`:
 * a person must act (`lastError`), then retry; `cancelled` by the operator.
 */
export const MigrationRunStatus = z.enum(['running', 'waiting', 'done', 'needs_attention', 'cancelled']);
export type MigrationRunStatus = z.infer<typeof MigrationRunStatus>;

export const MigrationEvent = z.object({
  at: Timestamp,
  /** The plan step (`order`) it concerns; null for the run as a whole. */
  step: z.number().int().positive().nullable(),
  /** Short machine name: started, step_done, operator_step, failed, retried, waiting, done, cancelled, superseded. */
  event: z.string(),
  message: z.string(),
});
export type MigrationEvent = z.infer<typeof MigrationEvent>;

export const MigrationRun = z.object({
  id: z.string(),
  service: ServiceName,
  status: MigrationRunStatus,
  /** How many of the plan's steps are done: the next one is `plan.steps[stepsDone]`. */
  stepsDone: z.number().int().nonnegative(),
  plan: MigrationPlan,
  attempts: z.number().int().nonnegative(),
  lastAttemptAt: Timestamp.nullable(),
  nextAttemptAt: Timestamp.nullable(),
  lastError: LastError.nullable(),
  conditions: z.array(Condition),
  history: z.array(MigrationEvent),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type MigrationRun = z.infer<typeof MigrationRun>;

export const MigrationRunList = z.object({ migrations: z.array(MigrationRun) });
