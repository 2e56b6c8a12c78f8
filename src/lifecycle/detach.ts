import { orNull } from '../errors';
import type { DomainRecord, DomainState } from '../model';
import { cachingKey } from '../site-config';
import type { StoredService } from '../store';
import type { LifecycleContext } from './context';
import { ensureDraft, findDraft } from './drafts';
import { iso, moveTo, withCondition, withoutCondition } from './record';
import { writeSiteConfig } from './site-config-writer';

/** States a record enters only once an attach attempt has started talking to Fastly. */
const ON_FASTLY_PATH: ReadonlySet<DomainState> = new Set(['attaching', 'waiting_for_release', 'active', 'securing', 'cached']);

/**
 * True when no attach attempt has started since the record was (re)attached: Fastly has nothing
 * of it, so cancelling needs no Fastly call. An attempt saves `attaching` before its first call,
 * so a crash cannot hide one.
 */
function neverReachedFastly(record: DomainRecord): boolean {
  const lastCancel = record.history.findLastIndex((event) => event.to === 'cancelled');
  return !record.history.slice(lastCancel + 1).some((event) => ON_FASTLY_PATH.has(event.to));
}

/**
 * Undoes an attach, in the order Fastly requires: caching off first (the edge passes through at
 * once), then the TLS subscription (a domain with one cannot be deleted), then the domain, off the
 * active version through the draft, or just off the draft when it never got further. Each part
 * is read first and skipped when already undone, so a detach cut short is finished by calling it
 * again, and a domain Fastly never had costs no write (a cancel works while writes are rate-limited).
 */
export async function detachDomain(ctx: LifecycleContext, record: DomainRecord, service: StoredService): Promise<DomainRecord> {
  if (neverReachedFastly(record)) return cancelled(ctx, record, { removed: [], detachedVersion: null });
  const { gateway } = ctx;
  const removed: string[] = [];
  if (service.configStoreId) {
    const key = cachingKey(record.domain);
    if ((await gateway.getConfigItem(service.configStoreId, key)) !== null) {
      await orNull(gateway.deleteConfigItem(service.configStoreId, key));
      removed.push(`caching switch ${key}`);
    }
    await writeSiteConfig(gateway, { ...service, configStoreId: service.configStoreId }, { clear: record.domain });
  }
  // Its domain is still active: without force Fastly answers "Subscription has active domains".
  const subscription = await gateway.findTlsSubscription(record.domain);
  if (subscription) {
    await gateway.deleteTlsSubscription(subscription.id, { force: true });
    removed.push(`TLS subscription ${subscription.id}`);
  }

  let detachedVersion: number | null = null;
  if (service.fastlyServiceId) {
    const fastly = await gateway.getService(service.fastlyServiceId);
    const onActive = fastly.activeVersion !== null && (await gateway.listDomains(fastly.id, fastly.activeVersion)).includes(record.domain);
    const draft = findDraft(fastly);
    if (onActive) {
      const version = await ensureDraft(gateway, fastly);
      if ((await gateway.listDomains(fastly.id, version)).includes(record.domain)) await gateway.deleteDomain(fastly.id, version, record.domain);
      const validation = await gateway.validateVersion(fastly.id, version);
      if (validation.valid) {
        await gateway.activateVersion(fastly.id, version);
        detachedVersion = version;
        removed.push(`the domain (version ${version} without it is active)`);
        await ctx.store.putService({ ...service, activeVersion: version, updatedAt: iso(ctx.clock.now()) });
      }
    } else if (draft && (await gateway.listDomains(fastly.id, draft.number)).includes(record.domain)) {
      await gateway.deleteDomain(fastly.id, draft.number, record.domain);
      removed.push(`the domain from draft version ${draft.number}`);
    }
  }

  return cancelled(ctx, record, { removed, detachedVersion });
}

/** The cancelled record: its conditions say what was removed, none claims what is gone. */
function cancelled(ctx: LifecycleContext, record: DomainRecord, undone: { removed: string[]; detachedVersion: number | null }): DomainRecord {
  const nowMs = ctx.clock.now();
  const attached = record.activeVersion !== null || undone.detachedVersion !== null;
  const message =
    undone.removed.length > 0
      ? `${attached ? 'Detached' : 'Cancelled'}; removed ${undone.removed.join(', ')}`
      : 'Cancelled before the domain reached Fastly: nothing to remove';
  let next = moveTo(record, 'cancelled', attached ? 'detached' : 'cancelled', message, nowMs);
  next = withCondition(next, 'Attached', 'False', attached ? 'Removed' : 'Cancelled', message, nowMs);
  const subscription = undone.removed.find((part) => part.startsWith('TLS subscription'));
  if (subscription || next.conditions.some((c) => c.type === 'CertificateIssued')) {
    next = withCondition(next, 'CertificateIssued', 'False', 'Removed', subscription ? `${subscription} removed` : 'No TLS subscription is left', nowMs);
  }
  if (next.conditions.some((c) => c.type === 'Cached')) next = withCondition(next, 'Cached', 'False', 'Removed', `caching:${record.domain} removed`, nowMs);
  next = withoutCondition(next, 'Stale');
  next = withCondition(next, 'Ready', 'False', 'Cancelled', message, nowMs);
  return { ...next, activeVersion: null, tls: null, caching: false, nextAttemptAt: null, lastError: null };
}
