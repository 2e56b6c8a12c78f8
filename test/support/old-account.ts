import { readFileSync } from 'node:fs';
import { createFastlyApiClient } from '../../src/fastly/api-client';
import { createFastlyGateway } from '../../src/fastly/create-gateway';
import * as Fastly from '../../src/fastly/fastly-classes';
import { backendSpecs } from '../../src/lifecycle/provision';
import type { MigrationPlan } from '../../src/migrate/model';
import { type DomainRole, ServiceInput } from '../../src/model';
import type { RunningSimulator } from '../../src/sim/server';
import { CONFIG_STORE_LINK_NAME, cachingKey } from '../../src/site-config';
import { selfSignedCertificate } from './self-signed';
import { simControl } from './sim-control';

// The old Fastly account of a migration test: another account of the simulator that runs a site
// the way edgeplane would have set it up there (an active Compute service with the domains and
// the two backends, its Config Store linked with caching on, a TLS subscription each), plus a
// Domain Management record for the main domain and an uploaded certificate of the last domain,
// TLS-activated for it. Made with the old account's own API calls.

export interface OldSite {
  customerId: string;
  name: string;
  token: string;
  serviceId: string;
  activeVersion: number;
  configStoreId: string;
  domains: Array<{ domain: string; role: DomainRole }>;
  subscriptions: Array<{ domain: string; id: string }>;
  managedDomain: { id: string; fqdn: string };
  /** The uploaded certificate of the last domain and its TLS activation. */
  certificate: { id: string; domain: string; activationId: string };
  origins: MigrationPlan['origins'];
}

export async function setUpOldSite(
  sim: RunningSimulator,
  options: { packagePath: string; service: ServiceInput; domains: Array<{ domain: string; role: DomainRole }> },
): Promise<OldSite> {
  const account = await simControl(sim).createAccount(`old-${options.service.name}`);
  const old = createFastlyGateway({ token: account.token, baseUrl: sim.url });
  const origins = ServiceInput.parse(options.service).origins;
  const service = await old.createService(options.service.name, 'wasm');
  const version = service.versions[0]!.number;
  for (const backend of backendSpecs(origins)) await old.createBackend(service.id, version, backend);
  await old.uploadPackage(service.id, version, readFileSync(options.packagePath));
  const store = await old.createConfigStore(options.service.configStoreName ?? `old-${options.service.name}`);
  await old.linkResource(service.id, version, store.id, CONFIG_STORE_LINK_NAME);
  await old.putConfigItems(store.id, Object.fromEntries(options.domains.map(({ domain }) => [cachingKey(domain), 'on'])));
  for (const { domain } of options.domains) await old.addDomain(service.id, version, domain);
  await old.activateVersion(service.id, version);
  const subscriptions = [];
  for (const { domain } of options.domains) subscriptions.push({ domain, id: (await old.createTlsSubscription(domain)).id });
  const managed = await old.createManagedDomain(options.domains[0]!.domain, service.id);
  const certificate = await uploadAndActivate(sim, account.token, options.domains.at(-1)!.domain);
  return {
    customerId: account.customerId,
    name: account.name,
    token: account.token,
    serviceId: service.id,
    activeVersion: version,
    configStoreId: store.id,
    domains: options.domains,
    subscriptions,
    managedDomain: { id: managed.id, fqdn: managed.fqdn },
    certificate,
    origins,
  };
}

/** Uploads a certificate of `domain` and enables it there (fastly-js: the gateway only reads and deletes these). */
async function uploadAndActivate(sim: RunningSimulator, token: string, domain: string): Promise<OldSite['certificate']> {
  const client = createFastlyApiClient(token, sim.url);
  const uploaded = await new Fastly.TlsCertificatesApi(client).createTlsCert({
    tls_certificate: { data: { type: 'tls_certificate', attributes: { cert_blob: selfSignedCertificate([domain]), name: domain } } },
  });
  const activation = await new Fastly.TlsActivationsApi(client).createTlsActivation({
    tls_activation: {
      data: {
        type: 'tls_activation',
        relationships: {
          tls_certificate: { data: { type: 'tls_certificate', id: uploaded.data.id } },
          tls_domain: { data: { type: 'tls_domain', id: domain } },
        },
      },
    },
  });
  return { id: uploaded.data.id, domain, activationId: activation.data.id };
}

/** The plan `edgeplane migrate plan` makes for such a site, written out (the job carries out any plan). */
export function planForOldSite(site: OldSite, service: string, readAt: string): MigrationPlan {
  const hosts = site.domains.map(({ domain }) => domain);
  const common = { domains: hosts, claimIds: [] as string[], reason: 'the test plan' };
  const steps: MigrationPlan['steps'] = [
    { ...common, order: 1, where: 'dns', action: 'lower_dns_ttl', ttlSeconds: 60, description: "Lower the TTL of the site's DNS records to 60 s" },
    { ...common, order: 2, where: 'new_account', action: 'create_service', service, origins: site.origins, description: `Create the service ${service}` },
    {
      ...common,
      order: 3,
      where: 'old_account',
      action: 'caching_off',
      serviceId: site.serviceId,
      configStoreId: site.configStoreId,
      description: 'Caching off on the old service',
    },
    ...site.subscriptions.map((subscription, index) => ({
      ...common,
      domains: [subscription.domain],
      claimIds: [`tls_subscription:${subscription.id}`],
      order: 4 + index,
      where: 'old_account' as const,
      action: 'delete_tls_subscription' as const,
      subscriptionId: subscription.id,
      force: true,
      description: `Delete the TLS subscription of ${subscription.domain}`,
    })),
  ];
  const next = () => steps.length + 1;
  const { certificate } = site;
  const activationsAt = next();
  steps.push({
    ...common,
    domains: [certificate.domain],
    claimIds: [`tls_activation:${certificate.activationId}`],
    order: activationsAt,
    where: 'old_account',
    action: 'delete_tls_activations',
    certificateId: certificate.id,
    activations: [{ id: certificate.activationId, domain: certificate.domain }],
    description: `Delete the TLS activation of ${certificate.domain}`,
  });
  const certificateAt = next();
  steps.push({
    ...common,
    domains: [certificate.domain],
    claimIds: [`tls_certificate:${certificate.id}`],
    order: certificateAt,
    where: 'old_account',
    action: 'delete_tls_certificate',
    certificateId: certificate.id,
    description: `Delete the uploaded certificate of ${certificate.domain}`,
  });
  const removeAt = next();
  steps.push({
    ...common,
    claimIds: hosts.map((host) => `active_version:${site.serviceId}:${host}`),
    order: removeAt,
    where: 'old_account',
    action: 'remove_domains_from_service',
    serviceId: site.serviceId,
    fromVersion: site.activeVersion,
    names: hosts,
    description: 'Remove the domains from the old service',
  });
  const managedAt = next();
  steps.push({
    ...common,
    domains: [site.managedDomain.fqdn],
    claimIds: [`managed_domain:${site.managedDomain.id}`],
    order: managedAt,
    where: 'old_account',
    action: 'delete_managed_domain',
    managedDomainId: site.managedDomain.id,
    fqdn: site.managedDomain.fqdn,
    description: 'Delete the Domain Management record',
  });
  steps.push({
    ...common,
    order: next(),
    where: 'new_account',
    action: 'attach_domains',
    service,
    roles: Object.fromEntries(site.domains.map(({ domain, role }) => [domain, role])),
    description: 'Attach the domains on the new account',
  });
  steps.push({ ...common, order: next(), where: 'dns', action: 'point_dns_at_fastly', description: 'Point DNS back at Fastly' });
  const claims: MigrationPlan['claims'] = [
    ...site.subscriptions.map((subscription, index) => ({
      id: `tls_subscription:${subscription.id}`,
      kind: 'tls_subscription' as const,
      name: subscription.domain,
      coverage: 'exact' as const,
      holds: [subscription.domain],
      subscriptionId: subscription.id,
      description: 'a TLS subscription on the old account',
      removedAtStep: 4 + index,
    })),
    {
      id: `tls_activation:${certificate.activationId}`,
      kind: 'tls_activation',
      name: certificate.domain,
      coverage: 'exact',
      holds: [certificate.domain],
      certificateId: certificate.id,
      activationId: certificate.activationId,
      description: 'the TLS activation of an uploaded certificate on the old account',
      removedAtStep: activationsAt,
    },
    {
      id: `tls_certificate:${certificate.id}`,
      kind: 'tls_certificate',
      name: certificate.domain,
      coverage: 'exact',
      holds: [certificate.domain],
      certificateId: certificate.id,
      description: 'a TLS certificate on the old account',
      removedAtStep: certificateAt,
    },
    ...hosts.map((host) => ({
      id: `active_version:${site.serviceId}:${host}`,
      kind: 'active_version' as const,
      name: host,
      coverage: 'exact' as const,
      holds: [host],
      serviceId: site.serviceId,
      version: site.activeVersion,
      description: 'the active version of the old service',
      removedAtStep: removeAt,
    })),
    {
      id: `managed_domain:${site.managedDomain.id}`,
      kind: 'managed_domain',
      name: site.managedDomain.fqdn,
      coverage: 'exact',
      holds: [site.managedDomain.fqdn],
      managedDomainId: site.managedDomain.id,
      description: 'a Domain Management record on the old account',
      removedAtStep: managedAt,
    },
  ];
  return {
    service,
    from: { customerId: site.customerId, name: site.name },
    readAt,
    domains: site.domains,
    origins: site.origins,
    originsFrom: { kind: 'old_service', serviceId: site.serviceId, reason: 'mirrored' },
    claims,
    steps,
    dns: [],
    gap: [],
    warnings: [],
  };
}
