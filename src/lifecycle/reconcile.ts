import { EdgeplaneError, isEdgeplaneError } from '../errors';
import type { DomainRecord, DomainState, LastError } from '../model';
import { type AttachOutcome, attachBatch } from './attach';
import type { LifecycleContext, StepProgress } from './context';
import { SERVICE_NOT_READY } from './provision';
import { iso, moveTo, withCondition } from './record';
import { isStale, nextProbeDelay, unavailableDelay } from './schedule';
import { secureStep } from './secure';
import { canTransition } from './transitions';

/** What a person must do, by error code, when the job stops. */
const ACTION: Partial<Record<string, string>> = {
  domain_held_by_own_service: 'Detach it from that service, or attach it again with move: true to take it over, then retry',
  unauthorized: 'Check the Fastly API token (scope global, and access to this service), then retry',
  tls_failed: 'Fix the DNS records, then retry',
  fastly_rejected: 'Fix what Fastly rejected, then retry',
  invalid_input: 'Fix the input, then retry',
};

/**
 * One reconcile step of a domain record: read (the record, the service) → decide (by state) →
 * act (Fastly calls, each skipped when Fastly already has its result) → return the record to
 * persist. Never throws for Fastly's answers: they become the record's state, lastError,
 * conditions and next attempt.
 */
export async function reconcileDomain(ctx: LifecycleContext, record: DomainRecord): Promise<DomainRecord> {
  if (isAttachState(record.state)) return (await reconcileAttachBatch(ctx, [record]))[0]!;
  const progress: StepProgress = { record };
  try {
    const provisioned = await provisionedService(ctx, record.service);
    switch (record.state) {
      case 'active':
      case 'securing':
        return await secureStep(ctx, progress, provisioned);
      default:
        return { ...record, nextAttemptAt: null };
    }
  } catch (error) {
    // Only answers (ours or Fastly's) decide the record's fate; anything else (the database
    // failing, a bug) leaves it to the worker, which tries again later.
    if (!isEdgeplaneError(error)) throw error;
    return afterFailure(ctx, progress.record, error);
  }
}

/** States whose step is an attach attempt: these are batched per service. */
export function isAttachState(state: DomainState): boolean {
  return state === 'queued' || state === 'attaching' || state === 'waiting_for_release';
}

async function provisionedService(ctx: LifecycleContext, name: string) {
  const service = await ctx.store.getService(name);
  if (!service?.fastlyServiceId || !service.configStoreId) {
    // Worded with SERVICE_NOT_READY, so the domain goes on by itself once the service is ready.
    throw new EdgeplaneError('invalid_input', `The service "${name}" is not on Fastly yet and ${SERVICE_NOT_READY}: create it first`);
  }
  return { ...service, fastlyServiceId: service.fastlyServiceId, configStoreId: service.configStoreId };
}

/**
 * One attach attempt for records of one service in attach states, together: one draft, one
 * validate and one activation for all of them (`attachBatch`). Returns each record to persist, in
 * order; Fastly's answers become each record's state, as in `reconcileDomain`.
 */
export async function reconcileAttachBatch(ctx: LifecycleContext, records: readonly DomainRecord[]): Promise<DomainRecord[]> {
  const progress: StepProgress[] = records.map((record) => ({ record }));
  let outcomes: Map<StepProgress, AttachOutcome>;
  try {
    outcomes = await attachBatch(ctx, progress, await provisionedService(ctx, records[0]!.service));
  } catch (error) {
    if (!isEdgeplaneError(error)) throw error;
    outcomes = new Map(progress.map((entry) => [entry, { failure: error }]));
  }
  return progress.map((entry) => {
    const outcome = outcomes.get(entry)!;
    return 'record' in outcome ? outcome.record : afterFailure(ctx, entry.record, outcome.failure);
  });
}

/** Turns a failed step into the record's next state and next attempt. */
export function afterFailure(ctx: LifecycleContext, record: DomainRecord, failure: EdgeplaneError): DomainRecord {
  const nowMs = ctx.clock.now();
  const lastError: LastError = { code: failure.code, detail: failure.detail };
  const base: DomainRecord = { ...record, lastError, updatedAt: iso(nowMs) };
  // A refusal is the expected answer while waiting: not worth a warning every probe.
  const log = failure.code === 'domain_held_by_other_account' ? ctx.logger.debug : ctx.logger.warn;
  log.call(
    ctx.logger,
    { service: record.service, domain: record.domain, state: record.state, code: failure.code, detail: failure.detail },
    'lifecycle step failed',
  );

  switch (failure.code) {
    case 'domain_held_by_other_account':
      return waitForRelease(ctx, base, failure, nowMs);
    case 'rate_limited': {
      const resetMs = failure.resetAt?.getTime() ?? nowMs + ctx.retry.initialMs;
      ctx.budget.pauseUntil(new Date(resetMs));
      return { ...base, nextAttemptAt: iso(Math.max(resetMs, nowMs + 1)) };
    }
    case 'fastly_unavailable':
    case 'version_locked':
      // Try again soon; a locked draft is not reused (the next attempt clones a new one).
      return { ...base, nextAttemptAt: iso(nowMs + unavailableDelay({ ...ctx.retry, random: ctx.random })) };
    default: {
      if (failure.code === 'internal') ctx.logger.error({ err: failure, domain: record.domain }, 'Fastly answered in a way we do not understand');
      const action = ACTION[failure.code] ?? 'Look at lastError, then retry';
      let next = canTransition(base.state, 'needs_attention') ? moveTo(base, 'needs_attention', failure.code, `${failure.detail} — ${action}`, nowMs) : base;
      next = withCondition(next, 'Ready', 'False', 'NeedsAttention', `${failure.detail} — ${action}`, nowMs);
      if (failure.code === 'domain_held_by_own_service') {
        next = withCondition(next, 'Attached', 'False', 'HeldByOwnService', failure.detail, nowMs);
      }
      if (failure.code === 'tls_failed') next = withCondition(next, 'CertificateIssued', 'False', 'Failed', failure.detail, nowMs);
      return { ...next, nextAttemptAt: null };
    }
  }
}

function waitForRelease(ctx: LifecycleContext, record: DomainRecord, refusal: EdgeplaneError, nowMs: number): DomainRecord {
  // A migration's domain says what the old side did ("Released on the old side at 19:04 UTC").
  const oldSide = record.conditions.find((condition) => condition.type === 'OldAccount');
  const released = oldSide?.status === 'True' ? oldSide.message : null;
  let next = record;
  if (next.state !== 'waiting_for_release') {
    next = moveTo(
      next,
      'waiting_for_release',
      'refused',
      `Fastly refused: ${refusal.detail}${released ? ` (${released})` : oldSide ? ` (${oldSide.message})` : ''}`,
      nowMs,
    );
  }
  const waitingSince = next.waitingSince ?? iso(nowMs);
  const backoffSince = next.backoffSince ?? waitingSince;
  // With hints the domain is due at the fast rate: each time, the edge says whether to write.
  const delay = nextProbeDelay({ waitingSinceMs: ctx.edgeHints ? nowMs : Date.parse(backoffSince), nowMs, ...ctx.retry, random: ctx.random });
  const nextAttemptAt = iso(nowMs + delay);
  next = withCondition(next, 'Attached', 'False', 'HeldByOtherAccount', refusal.detail, nowMs);
  const holder = released ? `${released}, Fastly still refusing` : 'Another Fastly account holds the domain';
  next = withCondition(next, 'Ready', 'False', 'WaitingForRelease', `${holder}; next probe at ${nextAttemptAt}`, nowMs);
  if (isStale(Date.parse(waitingSince), nowMs)) {
    next = withCondition(
      next,
      'Stale',
      'True',
      'WaitingTooLong',
      `Waiting since ${waitingSince}; still probing every ${Math.round(ctx.retry.maxMs / 60_000)} min. Ask the other account to remove the domain and its TLS subscription, or ask Fastly support to move it`,
      nowMs,
    );
  }
  return { ...next, waitingSince, backoffSince, nextAttemptAt };
}
