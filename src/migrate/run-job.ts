import { type EdgeplaneError, isEdgeplaneError } from '../errors';
import type { FastlyGateway } from '../fastly/gateway';
import type { LifecycleContext } from '../lifecycle/context';
import { iso, moveTo, newDomainRecord, reattached, withCondition } from '../lifecycle/record';
import { unavailableDelay } from '../lifecycle/schedule';
import type { DomainRecord } from '../model';
import type { Claim, MigrationPlan, MigrationStep } from './model';
import type { MigrationEvent, MigrationRun } from './run-model';
import { runStep } from './run-steps';

// One step of a migration run: the plan's next step (run-steps.ts), then the domains' records say
// which claim of the old account still holds each. Once every step is done the run waits for
// the domains to be cached on the new account, which the retry job does as for any domain.

/** The condition on a domain's record that names what the old account still holds it by. */
export const OLD_ACCOUNT_CONDITION = 'OldAccount';

/** How often a waiting run looks at its domains' records (database reads only). */
const WAITING_CHECK_MS = 5_000;

const REASON: Record<Claim['kind'], string> = {
  active_version: 'HeldByActiveVersion',
  tls_subscription: 'HeldByTlsSubscription',
  tls_activation: 'HeldByTlsActivation',
  tls_certificate: 'HeldByTlsCertificate',
  managed_domain: 'HeldByDomainManagement',
};

/** What a person must do when the run stops, by error code. */
const ACTION: Partial<Record<string, string>> = {
  unauthorized:
    "Check the old account's token (it needs write access to the service, TLS and Domain Management): retry the run once it has, or start the migration again with another token",
  fastly_rejected: 'Fix what Fastly rejected on the old account, then retry the run (or start the migration again for a new plan)',
  invalid_input: 'Fix the input, then start the migration again',
};

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

function event(run: MigrationRun, step: number | null, name: string, message: string, nowMs: number): MigrationEvent[] {
  return [...run.history, { at: iso(nowMs), step, event: name, message }];
}

/**
 * The next step of a running run, or a look at its domains when it waits. Fastly's answers become
 * the run's state (a rate limit or an outage: tried again later; anything else: needs_attention);
 * any other failure (the database, a bug) is thrown to the runner.
 */
export async function stepRun(ctx: LifecycleContext, old: FastlyGateway, run: MigrationRun): Promise<MigrationRun> {
  if (run.status === 'waiting') return lookAtDomains(ctx, run);
  if (run.status !== 'running') return { ...run, nextAttemptAt: null };
  const nowMs = ctx.clock.now();
  const step = run.plan.steps[run.stepsDone];
  if (!step) return startWaiting(ctx, run);
  const attempted: MigrationRun = { ...run, attempts: run.attempts + 1, lastAttemptAt: iso(nowMs), updatedAt: iso(nowMs) };
  try {
    const message = await runStep(ctx, old, step);
    await afterStep(ctx, run.plan, step);
    const doneMs = ctx.clock.now();
    const stepsDone = run.stepsDone + 1;
    const next = run.plan.steps[stepsDone];
    const ready = next
      ? `Step ${next.order} of ${run.plan.steps.length} next: ${next.description}`
      : 'Every step is done: waiting for the domains to be cached';
    return withRunCondition(
      {
        ...attempted,
        stepsDone,
        lastError: null,
        nextAttemptAt: iso(doneMs),
        history: event(run, step.order, step.where === 'dns' ? 'operator_step' : 'step_done', message, doneMs),
        updatedAt: iso(doneMs),
      },
      'False',
      'Running',
      ready,
      doneMs,
    );
  } catch (error) {
    if (!isEdgeplaneError(error)) throw error;
    return afterFailure(ctx, attempted, step, error);
  }
}

function afterFailure(ctx: LifecycleContext, run: MigrationRun, step: MigrationStep, failure: EdgeplaneError): MigrationRun {
  const nowMs = ctx.clock.now();
  const lastError = { code: failure.code, detail: failure.detail };
  ctx.logger.warn(
    { service: run.service, migration: run.id, step: step.order, action: step.action, code: failure.code, detail: failure.detail },
    'migration step failed',
  );
  switch (failure.code) {
    case 'rate_limited':
      return { ...run, lastError, nextAttemptAt: iso(Math.max(failure.resetAt?.getTime() ?? nowMs + ctx.retry.initialMs, nowMs + 1)) };
    case 'fastly_unavailable':
    case 'version_locked':
    case 'conflict':
      return { ...run, lastError, nextAttemptAt: iso(nowMs + unavailableDelay({ ...ctx.retry, random: ctx.random })) };
    default: {
      const message = `Step ${step.order} (${step.action}) failed: ${failure.detail} — ${ACTION[failure.code] ?? 'Look at lastError, then retry the run or start the migration again'}`;
      const stopped: MigrationRun = {
        ...run,
        status: 'needs_attention',
        lastError,
        nextAttemptAt: null,
        history: event(run, step.order, 'failed', message, nowMs),
      };
      return withRunCondition(stopped, 'False', 'NeedsAttention', message, nowMs);
    }
  }
}

/**
 * After a step: the domains' records get the claims still left. The new service's step makes the
 * records (not due yet: the old account still holds the domains); the attach step makes them due.
 */
async function afterStep(ctx: LifecycleContext, plan: MigrationPlan, step: MigrationStep): Promise<void> {
  if (step.where === 'dns') return;
  for (const { domain, role } of plan.domains) {
    const nowMs = ctx.clock.now();
    const stored = await ctx.store.getDomain(plan.service, domain);
    let record = stored;
    if (step.action === 'create_service' || step.action === 'attach_domains') record = withRecord(stored, plan.service, domain, role, nowMs);
    if (!record) continue;
    if (step.action === 'attach_domains' && record.state === 'queued' && record.nextAttemptAt === null) {
      record = withCondition(
        { ...record, nextAttemptAt: iso(nowMs) },
        'Ready',
        'False',
        'Queued',
        'The old account let go of it: the first attempt is due now',
        nowMs,
      );
    }
    record = withOldAccountCondition(record, plan, step.order, nowMs);
    if (record !== stored) await ctx.store.saveDomain(record);
  }
}

/** The domain's record for the migration: a new one (or a cancelled one attached again) waits for the attach step. */
function withRecord(record: DomainRecord | null, service: string, domain: string, role: DomainRecord['role'], nowMs: number): DomainRecord {
  if (record && record.state !== 'cancelled') return record;
  const fresh = record ? reattached(record, { role, move: false, nowMs }) : newDomainRecord({ service, domain, role, move: false, nowMs });
  return withCondition(
    { ...fresh, nextAttemptAt: null },
    'Ready',
    'False',
    'WaitingForOldAccount',
    "The migration removes the old account's claims first",
    nowMs,
  );
}

/** `OldAccount`: False naming the first claim left (in the plan's order), True once none is. */
function withOldAccountCondition(record: DomainRecord, plan: MigrationPlan, stepsDoneUpTo: number, nowMs: number): DomainRecord {
  const left = plan.claims
    .filter((claim) => claim.holds.includes(record.domain) && claim.removedAtStep > stepsDoneUpTo)
    .sort((a, b) => a.removedAtStep - b.removedAtStep);
  const current = record.conditions.find((condition) => condition.type === OLD_ACCOUNT_CONDITION);
  const first = left[0];
  if (!first) {
    if (current?.status === 'True') return record;
    return withCondition(record, OLD_ACCOUNT_CONDITION, 'True', 'Released', `Released on the old side at ${hhmm(nowMs)} UTC`, nowMs);
  }
  const more =
    left.length > 1
      ? ` (then ${left
          .slice(1)
          .map((claim) => claim.description)
          .join(', ')})`
      : '';
  const message = `Held by ${first.description}${more}; the migration removes it at step ${first.removedAtStep}`;
  if (current?.status === 'False' && current.message === message) return record;
  return withCondition(record, OLD_ACCOUNT_CONDITION, 'False', REASON[first.kind], message, nowMs);
}

function startWaiting(ctx: LifecycleContext, run: MigrationRun): MigrationRun {
  const nowMs = ctx.clock.now();
  const waiting: MigrationRun = {
    ...run,
    status: 'waiting',
    nextAttemptAt: iso(nowMs),
    updatedAt: iso(nowMs),
    history: event(run, null, 'waiting', 'Every step is done: the domains go through the lifecycle on the new account until cached', nowMs),
  };
  return withRunCondition(waiting, 'False', 'WaitingForDomains', 'Waiting for the domains to be cached on the new account', nowMs);
}

/** Done once every domain is cached on the new account; a cancelled domain stops the run. */
async function lookAtDomains(ctx: LifecycleContext, run: MigrationRun): Promise<MigrationRun> {
  const nowMs = ctx.clock.now();
  const records = await Promise.all(run.plan.domains.map(({ domain }) => ctx.store.getDomain(run.service, domain)));
  const gone = run.plan.domains.filter((_, index) => !records[index] || records[index]!.state === 'cancelled').map(({ domain }) => domain);
  if (gone.length > 0) {
    const message = `${gone.join(', ')} ${gone.length > 1 ? 'were' : 'was'} cancelled on the new account: attach ${gone.length > 1 ? 'them' : 'it'} again, or start the migration again`;
    const stopped: MigrationRun = {
      ...run,
      status: 'needs_attention',
      nextAttemptAt: null,
      updatedAt: iso(nowMs),
      lastError: { code: 'conflict', detail: message },
      history: event(run, null, 'failed', message, nowMs),
    };
    return withRunCondition(stopped, 'False', 'NeedsAttention', message, nowMs);
  }
  const pending = records.filter((record) => record!.state !== 'cached') as DomainRecord[];
  if (pending.length === 0) {
    const message = `Every domain is cached on the new account: ${run.plan.domains.map(({ domain }) => domain).join(', ')}`;
    // Nothing is failing any more: an error from before a retry stays in the history only.
    const done: MigrationRun = {
      ...run,
      status: 'done',
      nextAttemptAt: null,
      lastError: null,
      updatedAt: iso(nowMs),
      history: event(run, null, 'done', message, nowMs),
    };
    return withRunCondition(done, 'True', 'Done', message, nowMs);
  }
  const message = `Waiting for ${pending.map((record) => `${record.domain} (${record.state})`).join(', ')}`;
  const next: MigrationRun = { ...run, nextAttemptAt: iso(nowMs + Math.min(WAITING_CHECK_MS, ctx.retry.initialMs)) };
  const changed = next.conditions.find((condition) => condition.type === 'Ready')?.message !== message;
  return changed ? withRunCondition({ ...next, updatedAt: iso(nowMs) }, 'False', 'WaitingForDomains', message, nowMs) : next;
}

function withRunCondition(run: MigrationRun, status: 'True' | 'False', reason: string, message: string, nowMs: number): MigrationRun {
  const existing = run.conditions.find((condition) => condition.type === 'Ready');
  const lastTransitionTime = existing && existing.status === status ? existing.lastTransitionTime : iso(nowMs);
  return {
    ...run,
    conditions: [...run.conditions.filter((condition) => condition.type !== 'Ready'), { type: 'Ready', status, reason, message, lastTransitionTime }],
  };
}

/**
 * A run that needs attention, taken up again by the operator (needs_attention → running, or
 * waiting once every step is done): the step that failed runs again, reading before it writes, so
 * nothing done is repeated. It keeps its plan and the old account's token.
 */
export function retryRun(ctx: LifecycleContext, run: MigrationRun): MigrationRun {
  const nowMs = ctx.clock.now();
  const next = run.plan.steps[run.stepsDone];
  const message = next
    ? `Retried by the operator: step ${next.order} of ${run.plan.steps.length} next: ${next.description}`
    : 'Retried by the operator: waiting for the domains to be cached';
  const retried: MigrationRun = {
    ...run,
    status: next ? 'running' : 'waiting',
    nextAttemptAt: iso(nowMs),
    updatedAt: iso(nowMs),
    history: event(run, next?.order ?? null, 'retried', message, nowMs),
  };
  return withRunCondition(retried, 'False', next ? 'Running' : 'WaitingForDomains', message, nowMs);
}

/** A run the operator cancels: it stops; the domains it made that never reached Fastly are cancelled too. */
export async function cancelRun(ctx: LifecycleContext, run: MigrationRun): Promise<MigrationRun> {
  const nowMs = ctx.clock.now();
  const cancelled: string[] = [];
  for (const { domain } of run.plan.domains) {
    const record = await ctx.store.getDomain(run.service, domain);
    if (record?.state !== 'queued' || record.nextAttemptAt !== null) continue;
    const next = moveTo(record, 'cancelled', 'cancelled', `Migration ${run.id} cancelled before the domain reached the new account`, nowMs);
    await ctx.store.saveDomain(withCondition({ ...next, nextAttemptAt: null }, 'Ready', 'False', 'Cancelled', `Migration ${run.id} cancelled`, nowMs));
    cancelled.push(domain);
  }
  const done = run.plan.steps
    .slice(0, run.stepsDone)
    .filter((step) => step.where === 'old_account')
    .map((step) => `step ${step.order}`);
  const message = `Cancelled by the operator after ${run.stepsDone} of ${run.plan.steps.length} steps${done.length > 0 ? ` (done on the old account, not undone: ${done.join(', ')})` : ''}${cancelled.length > 0 ? `; cancelled ${cancelled.join(', ')}` : ''}`;
  const stopped: MigrationRun = {
    ...run,
    status: 'cancelled',
    nextAttemptAt: null,
    updatedAt: iso(nowMs),
    history: event(run, null, 'cancelled', message, nowMs),
  };
  return withRunCondition(stopped, 'False', 'Cancelled', message, nowMs);
}
