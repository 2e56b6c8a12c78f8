import type { DomainRecord } from '../model';
import { cachingKey } from '../site-config';
import type { StoredService } from '../store';
import type { LifecycleContext } from './context';
import { ensureDraft, findDraft } from './drafts';
import { orNull } from './provision';
import { iso, moveTo, withCondition } from './record';
import { writeSiteConfig } from './site-config-writer';

/**
 * Undoes an attach, in the order Fastly requires: caching off first (the edge passes through at
 * once), then the TLS subscription (a domain with one cannot be deleted), then the domain, off the
 * active version through the draft, or just off the draft when it never got further. Each part
 * is skipped when already undone, so a detach cut short is finished by calling it again.
 */
export async function detachDomain(ctx: LifecycleContext, record: DomainRecord, service: StoredService): Promise<DomainRecord> {
  const { gateway } = ctx;
  if (service.configStoreId) {
    await orNull(gateway.deleteConfigItem(service.configStoreId, cachingKey(record.domain)));
    await writeSiteConfig(gateway, { ...service, configStoreId: service.configStoreId }, { clear: record.domain });
  }
  // Its domain is still active: without force Fastly answers "Subscription has active domains".
  const subscription = await gateway.findTlsSubscription(record.domain);
  if (subscription) await gateway.deleteTlsSubscription(subscription.id, { force: true });

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
        await ctx.store.putService({ ...service, activeVersion: version, updatedAt: iso(ctx.clock.now()) });
      }
    } else if (draft && (await gateway.listDomains(fastly.id, draft.number)).includes(record.domain)) {
      await gateway.deleteDomain(fastly.id, draft.number, record.domain);
    }
  }

  const nowMs = ctx.clock.now();
  const attached = record.activeVersion !== null || detachedVersion !== null;
  const message = attached
    ? `Detached: caching off, TLS subscription removed, version ${detachedVersion ?? '(none)'} without the domain is active`
    : 'Cancelled before the domain was attached';
  let next = moveTo(record, 'cancelled', attached ? 'detached' : 'cancelled', message, nowMs);
  next = withCondition(next, 'Attached', 'False', 'Removed', message, nowMs);
  if (next.conditions.some((c) => c.type === 'Cached')) next = withCondition(next, 'Cached', 'False', 'Removed', 'caching switch removed', nowMs);
  next = withCondition(next, 'Ready', 'False', 'Cancelled', message, nowMs);
  return { ...next, activeVersion: null, tls: null, caching: false, nextAttemptAt: null, lastError: null };
}
