import { isEdgeplaneError } from '../errors';
import type { LastError } from '../model';
import type { StoredService } from '../store';
import type { LifecycleContext } from './context';
import { provisionService, SERVICE_NOT_READY } from './provision';
import { iso, moveTo } from './record';

/** Failures after which provisioning is simply tried again later; any other stops it for a person. */
const TRANSIENT = ['fastly_unavailable', 'rate_limited', 'version_locked'] as const;

/**
 * A service left `provisioning` (createService crashed, or its process was killed) is due for the
 * worker once it has not changed for `initialMs`: a createService that is still running holds
 * the service lease and saves as it goes, so this only finds abandoned ones.
 */
export function isProvisioningDue(service: StoredService, nowMs: number, retry: { initialMs: number }): boolean {
  return service.status === 'provisioning' && Date.parse(service.updatedAt) + retry.initialMs <= nowMs;
}

/**
 * Domains stopped because their service had no active version go on once it is ready. The caller
 * holds the service's lease.
 */
export async function requeueDomainsWaitingForService(ctx: LifecycleContext, name: string): Promise<void> {
  const service = await ctx.store.getService(name);
  if (service?.status !== 'ready') return;
  for (const record of await ctx.store.listDomains(name)) {
    if (record.state !== 'needs_attention' || !record.lastError?.detail.includes(SERVICE_NOT_READY)) continue;
    const nowMs = ctx.clock.now();
    const requeued = moveTo(record, 'queued', 'service_ready', `Service "${name}" is ready: next attempt now`, nowMs);
    await ctx.store.saveDomain({ ...requeued, nextAttemptAt: iso(nowMs), lastError: null, backoffSince: record.waitingSince ? iso(nowMs) : null });
  }
}

/**
 * One attempt to finish provisioning a service left `provisioning`, by the worker holding the
 * service's lease. Provisioning is idempotent (it adopts the service and the config store by name
 * and adds only what Fastly lacks), so it simply runs again. A transient failure leaves the
 * service `provisioning` for a later tick; any other failure gives it `needs_attention`, as a
 * failed createService does.
 */
export async function resumeProvisioning(ctx: LifecycleContext, stored: StoredService): Promise<StoredService> {
  ctx.logger.info({ service: stored.name }, `resuming the provisioning of "${stored.name}"`);
  try {
    const provisioned = await provisionService(ctx, stored);
    await requeueDomainsWaitingForService(ctx, stored.name);
    return provisioned;
  } catch (error) {
    const lastError: LastError = isEdgeplaneError(error) ? { code: error.code, detail: error.detail } : { code: 'internal', detail: String(error) };
    const transient = isEdgeplaneError(error) && (TRANSIENT as readonly string[]).includes(error.code);
    if (isEdgeplaneError(error, 'rate_limited') && error.resetAt) ctx.budget.pauseUntil(error.resetAt);
    ctx.logger.warn({ service: stored.name, code: lastError.code, detail: lastError.detail }, 'resumed provisioning failed');
    const current = (await ctx.store.getService(stored.name)) ?? stored;
    const next: StoredService = { ...current, status: transient ? 'provisioning' : 'needs_attention', lastError, updatedAt: iso(ctx.clock.now()) };
    await ctx.store.putService(next);
    return next;
  }
}
