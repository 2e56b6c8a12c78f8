import { EdgeplaneError, isEdgeplaneError } from '../errors';
import type { FastlyGateway } from '../fastly/gateway';
import type { DomainRecord } from '../model';
import type { StoredService } from '../store';
import type { LifecycleContext, StepProgress } from './context';
import { ensureDraft } from './drafts';
import { MISSING_PACKAGE_HINT, SERVICE_NOT_READY } from './provision';
import { iso, moveTo, withCondition, withoutCondition } from './record';
import { writeSiteConfig } from './site-config-writer';

/** The name in Fastly's "Domain 'x' is already taken by service 'NAME'". */
function holdingServiceName(detail: string): string | null {
  return /already taken by service '([^']+)'/.exec(detail)?.[1] ?? null;
}

/** The domain a refusal names: Fastly's "Domain 'x' is owned by another customer" and the like. */
function refusedDomain(detail: string): string | null {
  return /Domain '([^']+)'/.exec(detail)?.[1]?.toLowerCase() ?? null;
}

/** Answers to an add that concern that domain alone. */
const ABOUT_ONE_DOMAIN: ReadonlySet<string> = new Set(['domain_held_by_other_account', 'domain_held_by_own_service', 'fastly_rejected', 'invalid_input']);

const isRefusal = (error: unknown): error is EdgeplaneError =>
  isEdgeplaneError(error, 'domain_held_by_other_account') || isEdgeplaneError(error, 'domain_held_by_own_service');

/** Takes the domain off another service of our own account (attach with move: true). */
async function takeFromOwnService(gateway: FastlyGateway, domain: string, refusal: EdgeplaneError): Promise<void> {
  const name = holdingServiceName(refusal.detail);
  const other = name ? await gateway.findServiceByName(name) : null;
  if (!other) throw refusal;
  const draft = await ensureDraft(gateway, other);
  if ((await gateway.listDomains(other.id, draft)).includes(domain)) await gateway.deleteDomain(other.id, draft, domain);
  await activateValid(gateway, other.id, draft);
}

async function activateValid(gateway: FastlyGateway, serviceId: string, version: number): Promise<void> {
  const validation = await gateway.validateVersion(serviceId, version);
  if (!validation.valid) {
    throw new EdgeplaneError('fastly_rejected', validation.messages.join('; ') || `version ${version} is not valid`);
  }
  await gateway.activateVersion(serviceId, version);
}

/** The outcome of one domain in an attach batch: its record once active, or why it left the batch. */
export type AttachOutcome = { record: DomainRecord } | { failure: EdgeplaneError };

/**
 * One attach attempt for the due domains of one service (states queued, attaching,
 * waiting_for_release): they share the service's one reusable draft, and one validate and one
 * activation put them all live. Every part is read from Fastly first and skipped when it is done,
 * so an attempt cut short anywhere is finished by the next one. A domain Fastly refuses (at the
 * add, or at the activation: then it is taken back out of the draft) leaves the batch with its
 * failure; the others go on. A failure of a shared part (the service, the draft, validation, a
 * rate limit, an outage) becomes the outcome of every domain still in the batch. `progress` holds
 * each record as far as it got, for a failure to be applied on top.
 */
export async function attachBatch(
  ctx: LifecycleContext,
  progress: StepProgress[],
  service: StoredService & { fastlyServiceId: string; configStoreId: string },
): Promise<Map<StepProgress, AttachOutcome>> {
  const outcomes = new Map<StepProgress, AttachOutcome>();
  try {
    await attachTogether(ctx, progress, service, outcomes);
  } catch (error) {
    // Only answers (ours or Fastly's) decide the records' fate; anything else goes to the worker.
    if (!isEdgeplaneError(error)) throw error;
    for (const entry of progress) if (!outcomes.has(entry)) outcomes.set(entry, { failure: error });
  }
  await addLiveHostsToSite(ctx, service, outcomes);
  return outcomes;
}

/**
 * Fastly sends a live domain's traffic to the service at once; the edge answers a host it does not
 * know with 421. So the hosts that went live are put in the site now, with their caching switch
 * off (pass-through to the origin), in one write for the batch; caching goes on once the
 * certificate is issued. Should that write fail, the domain's next step (securing) writes it.
 */
async function addLiveHostsToSite(
  ctx: LifecycleContext,
  service: StoredService & { configStoreId: string },
  outcomes: ReadonlyMap<StepProgress, AttachOutcome>,
): Promise<void> {
  const live = [...outcomes.values()].flatMap((outcome) => ('record' in outcome ? [outcome.record] : []));
  if (live.length === 0) return;
  try {
    await writeSiteConfig(ctx.gateway, service, { set: live.map(({ role, domain }) => ({ role, domain })) });
  } catch (error) {
    if (!isEdgeplaneError(error)) throw error;
    ctx.logger.warn({ service: service.name, code: error.code, detail: error.detail }, 'live hosts not yet in the site config; their next step adds them');
  }
}

async function attachTogether(
  ctx: LifecycleContext,
  progress: StepProgress[],
  service: StoredService & { fastlyServiceId: string; configStoreId: string },
  outcomes: Map<StepProgress, AttachOutcome>,
): Promise<void> {
  const { gateway } = ctx;
  const nowMs = ctx.clock.now();
  for (const entry of progress) {
    let current: DomainRecord = { ...entry.record, attempts: entry.record.attempts + 1, lastAttemptAt: iso(nowMs) };
    if (current.state === 'queued') {
      current = moveTo(current, 'attaching', 'attaching', `Adding ${current.domain} to a draft version of ${service.name}`, nowMs);
      // Saved before the first Fastly call: a cancel then knows Fastly may have the domain.
      await ctx.store.saveDomain(current);
    }
    entry.record = current;
  }

  const fastly = await gateway.getService(service.fastlyServiceId);
  if (fastly.activeVersion === null) {
    throw new EdgeplaneError('invalid_input', `The service "${service.name}" ${SERVICE_NOT_READY}: ${service.lastError?.detail ?? MISSING_PACKAGE_HINT}`);
  }
  const live = new Set(await gateway.listDomains(fastly.id, fastly.activeVersion));
  let pending: StepProgress[] = [];
  for (const entry of progress) {
    if (live.has(entry.record.domain)) {
      // Found live (say, activated just before a crash): no second activation.
      await recordServiceVersion(ctx, service, fastly.activeVersion);
      outcomes.set(entry, { record: markActive(ctx, entry.record, fastly.activeVersion, 'Fastly already serves the domain on the active version') });
    } else {
      pending.push(entry);
    }
  }
  if (pending.length === 0) return;

  const draft = await ensureDraft(gateway, fastly);
  const inDraft = new Set(await gateway.listDomains(fastly.id, draft));
  const added: StepProgress[] = [];
  for (const entry of pending) {
    const { domain, move } = entry.record;
    if (!inDraft.has(domain)) {
      try {
        await addDomain(gateway, fastly.id, draft, domain, move);
      } catch (error) {
        // An answer about this one domain takes it out of the batch; anything else (a rate limit,
        // an outage, a locked draft) concerns every domain, so it ends the batch.
        if (!isEdgeplaneError(error) || !ABOUT_ONE_DOMAIN.has(error.code)) throw error;
        outcomes.set(entry, { failure: error });
        continue;
      }
    }
    added.push(entry);
  }
  pending = added;
  if (pending.length === 0) return;

  // Refused at activation: take that domain back out, so the shared draft stays activatable for
  // the others, and activate again. Each round removes one domain, so this ends.
  for (;;) {
    try {
      await activateValid(gateway, fastly.id, draft);
      break;
    } catch (error) {
      const domain = isRefusal(error) ? refusedDomain(error.detail) : null;
      if (!domain || !(await gateway.listDomains(fastly.id, draft)).includes(domain)) throw error;
      await gateway.deleteDomain(fastly.id, draft, domain);
      const refused = pending.find((entry) => entry.record.domain === domain);
      if (refused) outcomes.set(refused, { failure: error as EdgeplaneError });
      pending = pending.filter((entry) => entry !== refused);
      if (pending.length === 0) return;
    }
  }

  // Recorded only now that the activation succeeded.
  await recordServiceVersion(ctx, service, draft);
  const together = pending.length > 1 ? ` with ${pending.length - 1} other domain${pending.length > 2 ? 's' : ''}` : '';
  for (const entry of pending) {
    outcomes.set(entry, { record: markActive(ctx, entry.record, draft, `Version ${draft} with the domain is active${together}`) });
  }
}

async function recordServiceVersion(ctx: LifecycleContext, service: StoredService, version: number): Promise<void> {
  const stored = (await ctx.store.getService(service.name)) ?? service;
  if ((stored.activeVersion ?? 0) < version) await ctx.store.putService({ ...stored, activeVersion: version, updatedAt: iso(ctx.clock.now()) });
}

async function addDomain(gateway: FastlyGateway, serviceId: string, draft: number, domain: string, move: boolean): Promise<void> {
  try {
    await gateway.addDomain(serviceId, draft, domain, 'edgeplane');
  } catch (error) {
    if (!(move && isEdgeplaneError(error, 'domain_held_by_own_service'))) throw error;
    await takeFromOwnService(gateway, domain, error);
    await gateway.addDomain(serviceId, draft, domain, 'edgeplane');
  }
}

function markActive(ctx: LifecycleContext, record: DomainRecord, version: number, message: string): DomainRecord {
  const nowMs = ctx.clock.now();
  let next = record;
  if (next.state === 'waiting_for_release') {
    next = moveTo(next, 'attaching', 'released', 'Fastly accepted the domain: the other account let go of it', nowMs);
  }
  next = moveTo(next, 'active', 'activated', message, nowMs);
  next = withCondition(next, 'Attached', 'True', 'Activated', `On active version ${version}`, nowMs);
  next = withCondition(next, 'Ready', 'False', 'Securing', 'Waiting for the TLS certificate', nowMs);
  // What was said about the wait (too long; what Fastly's edge answered for another's host) ends with it.
  for (const type of ['Stale', 'EdgeServes']) next = withoutCondition(next, type);
  return { ...next, activeVersion: version, lastError: null, nextAttemptAt: iso(nowMs), waitingSince: null, backoffSince: null };
}
