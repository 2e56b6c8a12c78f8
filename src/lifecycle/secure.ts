import { dnsInstructions, recordsToCreate } from '../dns-records';
import { EdgeplaneError } from '../errors';
import type { DomainRecord } from '../model';
import { cachingKey } from '../site-config';
import type { StoredService } from '../store';
import type { LifecycleContext, StepProgress } from './context';
import { iso, moveTo, withCondition } from './record';
import { unavailableDelay } from './schedule';
import { liveRoleOf, writeSiteConfig } from './site-config-writer';

/**
 * States active and securing (the domain is on an active version: Fastly refuses a subscription
 * before): make sure a TLS subscription exists for the domain (one is found before one is
 * created, so a crash after creating it does not make a second; a failed one is retried the way
 * Fastly documents when the operator retried), then follow it until Fastly has issued the
 * certificate, and switch caching on.
 */
export async function secureStep(ctx: LifecycleContext, progress: StepProgress, service: StoredService & { configStoreId: string }): Promise<DomainRecord> {
  const { gateway } = ctx;
  const record = progress.record;
  // Live: the edge must know the host (caching off) while the certificate is on its way. The
  // attach wrote it; this puts it back if that write failed or was cut short (a read otherwise).
  await writeSiteConfig(gateway, service, { set: [{ role: record.role, domain: record.domain }] });
  let subscription = await gateway.findTlsSubscription(record.domain);
  if (subscription?.state === 'failed' && record.state === 'active') {
    // Back here after a failure and a retry: start the same subscription over.
    subscription = await gateway.retryTlsSubscription(subscription.id);
  }
  // The create answer carries the challenges, so the operator sees at once which DNS records to create.
  subscription ??= await gateway.createTlsSubscription(record.domain);
  const nowMs = ctx.clock.now();
  // Keep the DNS records already shown when an answer (a list, say) comes without them. Of what
  // Fastly offers for traffic, a subdomain gets its one CNAME, an apex the A/AAAA records.
  const known = record.tls?.subscriptionId === subscription.id ? record.tls.dnsRecords : [];
  const dnsRecords = recordsToCreate(record.domain, subscription.dnsRecords.length > 0 ? subscription.dnsRecords : known);
  let next: DomainRecord = { ...record, tls: { subscriptionId: subscription.id, state: subscription.state, dnsRecords }, lastError: null };
  if (next.state === 'active') {
    next = moveTo(next, 'securing', 'tls_requested', `TLS subscription ${subscription.id} is ${subscription.state}`, nowMs);
  }

  progress.record = next;
  if (subscription.state === 'failed') {
    throw new EdgeplaneError(
      'tls_failed',
      `Fastly could not issue a certificate for ${record.domain} (subscription ${subscription.id}). ${dnsInstructions(record.domain, dnsRecords)}; then retry.`,
    );
  }
  if (subscription.state !== 'issued') {
    next = withCondition(next, 'CertificateIssued', 'False', subscription.state, dnsInstructions(record.domain, dnsRecords), nowMs);
    return { ...next, nextAttemptAt: iso(nowMs + unavailableDelay({ ...ctx.retry, random: ctx.random })) };
  }

  next = withCondition(next, 'CertificateIssued', 'True', 'Issued', `Subscription ${subscription.id} issued`, nowMs);
  return enableCaching(ctx, next, service);
}

async function enableCaching(ctx: LifecycleContext, record: DomainRecord, service: StoredService & { configStoreId: string }): Promise<DomainRecord> {
  const enabled = record.cachingOverride ?? true;
  // The host is in the site already (the step's start saw to it): the switch is the one write.
  await ctx.gateway.putConfigItem(service.configStoreId, cachingKey(record.domain), enabled ? 'on' : 'off');
  // Ready only once the edge config read back from Fastly has the host with its role.
  const live = await liveRoleOf(ctx.gateway, service.configStoreId, record.domain);
  if (live !== record.role) {
    throw new EdgeplaneError(
      'fastly_unavailable',
      `the site config read back from Fastly has ${record.domain} ${live === null ? 'missing' : `as ${live}`}, not as ${record.role}`,
    );
  }
  const nowMs = ctx.clock.now();
  let next = moveTo(record, 'cached', 'cached', enabled ? `caching:${record.domain}=on` : `caching:${record.domain}=off (operator override)`, nowMs);
  next = withCondition(
    next,
    'Cached',
    enabled ? 'True' : 'False',
    enabled ? 'SwitchOn' : 'OperatorOverride',
    `caching:${record.domain}=${enabled ? 'on' : 'off'}`,
    nowMs,
  );
  next = withCondition(next, 'Ready', 'True', 'Cached', `${record.domain} is served by Fastly with its certificate`, nowMs);
  return { ...next, caching: enabled, nextAttemptAt: null, lastError: null };
}
