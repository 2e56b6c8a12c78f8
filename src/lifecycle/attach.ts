import { EdgeplaneError, isEdgeplaneError } from '../errors';
import type { FastlyGateway } from '../fastly/gateway';
import type { DomainRecord } from '../model';
import type { StoredService } from '../store';
import type { LifecycleContext, StepProgress } from './context';
import { ensureDraft } from './drafts';
import { MISSING_PACKAGE_HINT, SERVICE_NOT_READY } from './provision';
import { iso, moveTo, withCondition, withoutCondition } from './record';

/** The name in Fastly's "Domain 'x' is already taken by service 'NAME'". */
function holdingServiceName(detail: string): string | null {
  return /already taken by service '([^']+)'/.exec(detail)?.[1] ?? null;
}

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

/**
 * One attach attempt (states queued, attaching, waiting_for_release): read what Fastly has,
 * then add the domain to the one reusable draft, validate and activate. Every part is skipped
 * when Fastly already has it, so an attempt cut short anywhere is finished by the next one.
 * Fastly's refusals leave as EdgeplaneErrors for the caller to classify.
 */
export async function attachStep(ctx: LifecycleContext, progress: StepProgress, service: StoredService & { fastlyServiceId: string }): Promise<DomainRecord> {
  const { gateway } = ctx;
  const nowMs = ctx.clock.now();
  const record = progress.record;
  let current: DomainRecord = { ...record, attempts: record.attempts + 1, lastAttemptAt: iso(nowMs) };
  if (current.state === 'queued') {
    current = moveTo(current, 'attaching', 'attaching', `Adding ${record.domain} to a draft version of ${service.name}`, nowMs);
    await ctx.store.saveDomain(current);
  }
  progress.record = current;

  const fastly = await gateway.getService(service.fastlyServiceId);
  if (fastly.activeVersion !== null && (await gateway.listDomains(fastly.id, fastly.activeVersion)).includes(record.domain)) {
    return markActive(ctx, current, service, fastly.activeVersion, 'Fastly already serves the domain on the active version');
  }
  if (fastly.activeVersion === null) {
    throw new EdgeplaneError(
      'invalid_input',
      `The service "${service.name}" ${SERVICE_NOT_READY}: ${service.lastError?.detail ?? MISSING_PACKAGE_HINT}`,
    );
  }

  const draft = await ensureDraft(gateway, fastly);
  if (!(await gateway.listDomains(fastly.id, draft)).includes(record.domain)) {
    try {
      await gateway.addDomain(fastly.id, draft, record.domain, 'edgeplane');
    } catch (error) {
      if (!(record.move && isEdgeplaneError(error, 'domain_held_by_own_service'))) throw error;
      await takeFromOwnService(gateway, record.domain, error);
      await gateway.addDomain(fastly.id, draft, record.domain, 'edgeplane');
    }
  }
  try {
    await activateValid(gateway, fastly.id, draft);
  } catch (error) {
    // Refused at activation: take the domain back out so the shared draft stays activatable for others.
    if (isEdgeplaneError(error, 'domain_held_by_other_account') || isEdgeplaneError(error, 'domain_held_by_own_service')) {
      await gateway.deleteDomain(fastly.id, draft, record.domain);
    }
    throw error;
  }
  return markActive(ctx, current, service, draft, `Version ${draft} with the domain is active`);
}

async function markActive(ctx: LifecycleContext, record: DomainRecord, service: StoredService, version: number, message: string): Promise<DomainRecord> {
  const nowMs = ctx.clock.now();
  if ((service.activeVersion ?? 0) < version) {
    await ctx.store.putService({ ...service, activeVersion: version, updatedAt: iso(nowMs) });
  }
  let next = record;
  if (next.state === 'waiting_for_release') {
    next = moveTo(next, 'attaching', 'released', 'Fastly accepted the domain: the other account let go of it', nowMs);
  }
  next = moveTo(next, 'active', 'activated', message, nowMs);
  next = withCondition(next, 'Attached', 'True', 'Activated', `On active version ${version}`, nowMs);
  next = withCondition(next, 'Ready', 'False', 'Securing', 'Waiting for the TLS certificate', nowMs);
  next = next.conditions.some((c) => c.type === 'Stale') ? withoutCondition(next, 'Stale') : next;
  return { ...next, activeVersion: version, lastError: null, nextAttemptAt: iso(nowMs), waitingSince: null, backoffSince: null };
}
