import { z } from 'zod';
import { DnsRecord, DomainRole, Origin, ServiceName } from '../model';

// The contract of `edgeplane migrate`: what is read from the old Fastly account (the inventory)
// and what the move will do (the plan). The API returns the plan as it is, the migration job
// carries out its steps in order, and a domain's record names the claim that still holds it.

const Timestamp = z.iso.datetime();

// ---------------------------------------------------------------------------------------------
// Inventory: the old account as read with its token (reads only).

export const OldBackend = z.object({
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  useSsl: z.boolean(),
  overrideHost: z.string().optional(),
  sslCertHostname: z.string().optional(),
  sslSniHostname: z.string().optional(),
});
export type OldBackend = z.infer<typeof OldBackend>;

/** A service of the old account whose active version holds (or covers) one of the site's domains. */
export const OldService = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['wasm', 'vcl']),
  /** The active version; null when none is active (then its domains hold nothing). */
  activeVersion: z.number().int().positive().nullable(),
  /** Every domain on the active version, as Fastly lists them (also the ones not of the site). */
  domains: z.array(z.string()),
  backends: z.array(OldBackend),
  /** The edgeplane Config Store linked to the active version, when the service is edgeplane's. */
  configStoreId: z.string().nullable(),
  /** `host → role` from that store's `site` key; empty when there is none. */
  roles: z.record(z.string(), DomainRole),
  /** Hosts whose caching switch (`caching:<host>`) is `on` in that store. */
  cachingOn: z.array(z.string()),
  staticHostHeader: z.string().nullable(),
  staticPathPrefix: z.string().nullable(),
});
export type OldService = z.infer<typeof OldService>;

export const OldTlsSubscription = z.object({
  id: z.string(),
  state: z.enum(['pending', 'processing', 'issued', 'renewing', 'failed']),
  domains: z.array(z.string()),
});
export type OldTlsSubscription = z.infer<typeof OldTlsSubscription>;

/** A certificate uploaded to the old account (`/tls/certificates`), with the names it covers. */
export const OldTlsCertificate = z.object({
  id: z.string(),
  name: z.string(),
  domains: z.array(z.string()),
});
export type OldTlsCertificate = z.infer<typeof OldTlsCertificate>;

/** A TLS activation of the old account: an uploaded certificate enabled for one domain. */
export const OldTlsActivation = z.object({
  id: z.string(),
  certificateId: z.string(),
  domain: z.string(),
});
export type OldTlsActivation = z.infer<typeof OldTlsActivation>;

/** A Domain Management (versionless) domain of the old account. */
export const OldManagedDomain = z.object({
  id: z.string(),
  fqdn: z.string(),
  serviceId: z.string().nullable(),
});
export type OldManagedDomain = z.infer<typeof OldManagedDomain>;

export const OldAccountInventory = z.object({
  customer: z.object({ id: z.string(), name: z.string() }),
  readAt: Timestamp,
  /** The site's domains the inventory was read for (lower case). */
  domains: z.array(z.string()),
  /** Only the resources whose names cover one of `domains` (itself, a parent or a parent's wildcard). */
  services: z.array(OldService),
  tlsSubscriptions: z.array(OldTlsSubscription),
  tlsCertificates: z.array(OldTlsCertificate),
  /** The activations of those certificates, and any other activation of one of the domains. */
  tlsActivations: z.array(OldTlsActivation),
  managedDomains: z.array(OldManagedDomain),
});
export type OldAccountInventory = z.infer<typeof OldAccountInventory>;

// ---------------------------------------------------------------------------------------------
// Plan: claims on the old account, the ordered steps, DNS and the gap.

export const ClaimKind = z.enum(['active_version', 'tls_subscription', 'tls_activation', 'tls_certificate', 'managed_domain']);
export type ClaimKind = z.infer<typeof ClaimKind>;

/** How a claimed name covers a site domain: the name itself, a parent, or a parent's wildcard. */
export const ClaimCoverage = z.enum(['exact', 'parent', 'wildcard']);
export type ClaimCoverage = z.infer<typeof ClaimCoverage>;

/** One thing on the old account that keeps Fastly refusing a site domain to any other account. */
export const Claim = z.object({
  /** Stable key, e.g. `tls_subscription:<id>` or `active_version:<serviceId>:<name>`. */
  id: z.string(),
  kind: ClaimKind,
  /** The name as the old account claims it: the domain, a parent or a wildcard. */
  name: z.string(),
  coverage: ClaimCoverage,
  /** The site domains this claim holds. */
  holds: z.array(z.string()),
  serviceId: z.string().optional(),
  serviceName: z.string().optional(),
  /** The old service's active version that holds the name (kind `active_version`). */
  version: z.number().int().positive().optional(),
  subscriptionId: z.string().optional(),
  certificateId: z.string().optional(),
  activationId: z.string().optional(),
  managedDomainId: z.string().optional(),
  /** In words, e.g. "a TLS subscription on the old account". */
  description: z.string(),
  /** The `order` of the step that removes it. */
  removedAtStep: z.number().int().positive(),
});
export type Claim = z.infer<typeof Claim>;

const StepBase = z.object({
  /** 1, 2, … in the order the steps run. */
  order: z.number().int().positive(),
  /** Where it happens: the old account, the new account, or the operator's DNS. */
  where: z.enum(['old_account', 'new_account', 'dns']),
  /** The site domains it is about. */
  domains: z.array(z.string()),
  /** The claims it removes (Claim.id). */
  claimIds: z.array(z.string()),
  /** What it does, in words. */
  description: z.string(),
  /** Why it is in the plan, and why here. */
  reason: z.string(),
});

export const MigrationStep = z.discriminatedUnion('action', [
  /** Operator: lower the TTL of the site's DNS records well ahead, so the switches below take effect fast. */
  StepBase.extend({ action: z.literal('lower_dns_ttl'), ttlSeconds: z.number().int().positive() }),
  /** New account: create (or adopt) the service with the origins. */
  StepBase.extend({ action: z.literal('create_service'), service: ServiceName, origins: z.object({ main: Origin, static: Origin }) }),
  /** Operator: point the hosts at the origins, so users are served while no Fastly service holds them. */
  StepBase.extend({ action: z.literal('point_dns_at_origin') }),
  /** Old account: caching switch off (`caching:<host>` deleted) in the old service's Config Store. */
  StepBase.extend({ action: z.literal('caching_off'), serviceId: z.string(), configStoreId: z.string() }),
  /** Old account: delete the TLS subscription; `force` because its domains are still active. */
  StepBase.extend({ action: z.literal('delete_tls_subscription'), subscriptionId: z.string(), force: z.boolean() }),
  /** Old account: delete the TLS activations of an uploaded certificate (Fastly refuses to delete it while one is left). */
  StepBase.extend({
    action: z.literal('delete_tls_activations'),
    certificateId: z.string(),
    activations: z.array(z.object({ id: z.string(), domain: z.string() })),
  }),
  /** Old account: delete an uploaded certificate. */
  StepBase.extend({ action: z.literal('delete_tls_certificate'), certificateId: z.string() }),
  /** Old account: clone the active version, delete the names, activate the clone (one activation per service). */
  StepBase.extend({
    action: z.literal('remove_domains_from_service'),
    serviceId: z.string(),
    fromVersion: z.number().int().positive(),
    names: z.array(z.string()),
  }),
  /** Old account: delete the Domain Management record. */
  StepBase.extend({ action: z.literal('delete_managed_domain'), managedDomainId: z.string(), fqdn: z.string() }),
  /** New account: attach the domains; they wait for Fastly's release as usual, then get TLS and caching. */
  StepBase.extend({ action: z.literal('attach_domains'), service: ServiceName, roles: z.record(z.string(), DomainRole) }),
  /** Operator: point the hosts back at Fastly (records from the new TLS subscription). */
  StepBase.extend({ action: z.literal('point_dns_at_fastly') }),
]);
export type MigrationStep = z.infer<typeof MigrationStep>;

/** A DNS change the operator makes, and when. */
export const DnsChange = z.object({
  domain: z.string(),
  /** The step (`order`) this change belongs to. */
  atStep: z.number().int().positive(),
  purpose: z.enum(['lower_ttl', 'bypass_fastly', 'back_to_fastly']),
  /** What to set; for `back_to_fastly` Fastly gives the values once the new subscription exists. */
  record: DnsRecord.omit({ purpose: true }).extend({ ttlSeconds: z.number().int().positive().optional() }).nullable(),
  description: z.string(),
});
export type DnsChange = z.infer<typeof DnsChange>;

/** What users of one host see between the old account letting go and the new one serving it. */
export const GapAdvice = z.object({
  domain: z.string(),
  /** From this step on, Fastly answers "unknown domain" for the host while DNS points at Fastly. */
  unknownDomainFromStep: z.number().int().positive(),
  /** Until the host is active on the new account (after Fastly's release delay, which it does not publish). */
  untilStep: z.number().int().positive(),
  /** Where to point the host meanwhile (the origin), or null when there is no way around the gap. */
  bypassTo: z.string().nullable(),
  lowerTtlToSeconds: z.number().int().positive(),
  /** In words, for the operator. */
  message: z.string(),
});
export type GapAdvice = z.infer<typeof GapAdvice>;

export const MigrationPlan = z.object({
  service: ServiceName,
  from: z.object({ customerId: z.string(), name: z.string() }),
  readAt: Timestamp,
  /** The site domains moving, with the role each gets on the new service. */
  domains: z.array(z.object({ domain: z.string(), role: DomainRole })),
  /** The new service's origins, and whether they mirror an old service's backends. */
  origins: z.object({ main: Origin, static: Origin }),
  originsFrom: z.object({ kind: z.enum(['old_service', 'given']), serviceId: z.string().optional(), reason: z.string() }),
  claims: z.array(Claim),
  steps: z.array(MigrationStep),
  dns: z.array(DnsChange),
  gap: z.array(GapAdvice),
  /** Things the operator should know before running it (e.g. a wildcard that also covers other hosts). */
  warnings: z.array(z.string()),
});
export type MigrationPlan = z.infer<typeof MigrationPlan>;
