import { isDeepStrictEqual } from 'node:util';
import { EdgeplaneError, orNull } from '../errors';
import type { FastlyGateway } from '../fastly/gateway';
import type { LifecycleContext } from '../lifecycle/context';
import { ensureDraft } from '../lifecycle/drafts';
import { provisionService } from '../lifecycle/provision';
import { iso } from '../lifecycle/record';
import { cachingKey, defaultConfigStoreName } from '../site-config';
import type { StoredService } from '../store';
import type { MigrationStep } from './model';

// What each step of a plan does. Every step reads before it writes and skips what is done, so a
// step cut short by a crash is finished by running it again, and a step run twice writes nothing
// the second time (one activation per change). `old` is the old account's gateway.

type Step<A extends MigrationStep['action']> = Extract<MigrationStep, { action: A }>;

/** Runs one step; resolves to what it did, in words (the run's history). */
export async function runStep(ctx: LifecycleContext, old: FastlyGateway, step: MigrationStep): Promise<string> {
  switch (step.action) {
    case 'lower_dns_ttl':
    case 'point_dns_at_origin':
    case 'point_dns_at_fastly':
      // The operator's DNS: edgeplane cannot do it; the plan and the run's history say when.
      return `For the operator: ${step.description}`;
    case 'create_service':
      return createService(ctx, step);
    case 'caching_off':
      return cachingOff(old, step);
    case 'delete_tls_subscription':
      return deleteTlsSubscription(old, step);
    case 'delete_tls_activations':
      return deleteTlsActivations(old, step);
    case 'delete_tls_certificate':
      return deleteTlsCertificate(old, step);
    case 'remove_domains_from_service':
      return removeDomainsFromService(old, step);
    case 'delete_managed_domain':
      return deleteManagedDomain(old, step);
    case 'attach_domains':
      // The domain records are the new account's lifecycle: run-job.ts makes them due.
      return `Attaching ${step.domains.join(', ')} on the new account: each waits for Fastly's release with the usual probes`;
  }
}

/** The new account's service with the plan's origins: created, or provisioned again when they differ. */
async function createService(ctx: LifecycleContext, step: Step<'create_service'>): Promise<string> {
  const existing = await ctx.store.getService(step.service);
  if (existing?.status === 'ready' && isDeepStrictEqual(existing.origins, step.origins))
    return `The service "${step.service}" is ready with these origins already`;
  const now = iso(ctx.clock.now());
  const stored: StoredService = {
    name: step.service,
    fastlyServiceId: existing?.fastlyServiceId ?? null,
    activeVersion: existing?.activeVersion ?? null,
    configStoreId: existing?.configStoreId ?? null,
    configStoreName: existing?.configStoreName ?? defaultConfigStoreName(step.service),
    origins: step.origins,
    status: 'provisioning',
    lastError: null,
    packagePath: existing?.packagePath ?? null,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  await ctx.store.putService(stored);
  await provisionService(ctx, stored);
  const after = await ctx.store.getService(step.service);
  if (after?.status !== 'ready') {
    throw new EdgeplaneError(after?.lastError?.code ?? 'internal', after?.lastError?.detail ?? `the service "${step.service}" could not be provisioned`);
  }
  return `${existing ? 'Provisioned' : 'Created'} the service "${step.service}" on the new account (version ${after.activeVersion} active)`;
}

async function cachingOff(old: FastlyGateway, step: Step<'caching_off'>): Promise<string> {
  const removed: string[] = [];
  for (const domain of step.domains) {
    const key = cachingKey(domain);
    if ((await old.getConfigItem(step.configStoreId, key)) === null) continue;
    await old.deleteConfigItem(step.configStoreId, key);
    removed.push(key);
  }
  return removed.length > 0
    ? `Caching off on the old service ${step.serviceId}: removed ${removed.join(', ')}`
    : `Caching was already off on the old service ${step.serviceId}`;
}

async function deleteTlsSubscription(old: FastlyGateway, step: Step<'delete_tls_subscription'>): Promise<string> {
  if (!(await orNull(old.getTlsSubscription(step.subscriptionId)))) return `The TLS subscription ${step.subscriptionId} was already gone`;
  await orNull(old.deleteTlsSubscription(step.subscriptionId, { force: step.force }));
  return `Deleted the TLS subscription ${step.subscriptionId}${step.force ? ' (force)' : ''} on the old account`;
}

/** The plan's activations of the certificate still there are deleted; one made since is left to Fastly's refusal of the certificate. */
async function deleteTlsActivations(old: FastlyGateway, step: Step<'delete_tls_activations'>): Promise<string> {
  const live = new Set((await old.listTlsActivations({ certificateId: step.certificateId })).map((activation) => activation.id));
  const left = step.activations.filter((activation) => live.has(activation.id));
  if (left.length === 0) return `The TLS activations of the certificate ${step.certificateId} were already gone`;
  for (const activation of left) await orNull(old.deleteTlsActivation(activation.id));
  return `Deleted the TLS activations of the certificate ${step.certificateId} on ${left.map((activation) => activation.domain).join(', ')} on the old account`;
}

async function deleteTlsCertificate(old: FastlyGateway, step: Step<'delete_tls_certificate'>): Promise<string> {
  if (!(await old.listTlsCertificates()).some((certificate) => certificate.id === step.certificateId))
    return `The TLS certificate ${step.certificateId} was already gone`;
  await orNull(old.deleteTlsCertificate(step.certificateId));
  return `Deleted the TLS certificate ${step.certificateId} on the old account`;
}

/** One new version without the names, then one activation: found active already, nothing is written. */
async function removeDomainsFromService(old: FastlyGateway, step: Step<'remove_domains_from_service'>): Promise<string> {
  const service = await old.getService(step.serviceId);
  if (service.activeVersion === null) return `The old service ${service.name} has no active version: it holds no domain`;
  const live = new Set(await old.listDomains(service.id, service.activeVersion));
  const names = step.names.filter((name) => live.has(name));
  if (names.length === 0) return `The active version ${service.activeVersion} of the old service ${service.name} no longer has ${step.names.join(', ')}`;
  const draft = await ensureDraft(old, service);
  const inDraft = new Set(await old.listDomains(service.id, draft));
  for (const name of names) if (inDraft.has(name)) await old.deleteDomain(service.id, draft, name);
  const validation = await old.validateVersion(service.id, draft);
  if (!validation.valid)
    throw new EdgeplaneError('fastly_rejected', `version ${draft} of the old service ${service.name} is not valid: ${validation.messages.join('; ')}`);
  await old.activateVersion(service.id, draft);
  return `Removed ${names.join(', ')} from the old service ${service.name}: version ${draft} without them is active`;
}

async function deleteManagedDomain(old: FastlyGateway, step: Step<'delete_managed_domain'>): Promise<string> {
  if (!(await orNull(old.getManagedDomain(step.managedDomainId)))) return `The Domain Management record of ${step.fqdn} was already gone`;
  await orNull(old.deleteManagedDomain(step.managedDomainId));
  return `Deleted the Domain Management record of ${step.fqdn} (${step.managedDomainId}) on the old account`;
}
