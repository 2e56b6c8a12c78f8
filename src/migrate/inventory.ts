import { coveringNames } from '../domain-name';
import { EdgeplaneError } from '../errors';
import type { FastlyGateway, FastlyService } from '../fastly/gateway';
import { CONFIG_STORE_LINK_NAME, cachingKey, SITE_CONFIG_KEY } from '../site-config';
import { parseStoredSiteConfig } from '../site-config-schema';
import type { OldAccountInventory, OldService } from './model';

// Reads what the old Fastly account holds of a site, with that account's token: reads only
// (GET), so a plan costs nothing of the write limit and changes nothing.

export interface InventoryRequest {
  /** The service's name: without `domains`, the old account's service of this name gives them. */
  service: string;
  /** The site's domains; default: every domain on the active version of the old service named `service`. */
  domains?: readonly string[];
  now: Date;
}

/** Whether `name` (as claimed) covers any of `hosts`: itself, a parent, or a parent's wildcard. */
function coversAny(name: string, hosts: readonly string[]): boolean {
  const claimed = name.toLowerCase();
  return hosts.some((host) => coveringNames(host).includes(claimed));
}

async function readService(old: FastlyGateway, service: FastlyService, version: number, names: string[], hosts: readonly string[]): Promise<OldService> {
  const backends = await old.listBackends(service.id, version);
  const link = (await old.listResourceLinks(service.id, version)).find((entry) => entry.name === CONFIG_STORE_LINK_NAME);
  const site = link ? parseStoredSiteConfig(await old.getConfigItem(link.resourceId, SITE_CONFIG_KEY)) : null;
  const cachingOn: string[] = [];
  if (link) {
    for (const host of hosts.filter((host) => names.includes(host))) {
      if ((await old.getConfigItem(link.resourceId, cachingKey(host))) === 'on') cachingOn.push(host);
    }
  }
  return {
    id: service.id,
    name: service.name,
    type: service.type,
    activeVersion: version,
    domains: names,
    backends: backends.map(({ name, address, port, useSsl, overrideHost, sslCertHostname, sslSniHostname }) => ({
      name,
      address,
      port,
      useSsl,
      ...(overrideHost ? { overrideHost } : {}),
      ...(sslCertHostname ? { sslCertHostname } : {}),
      ...(sslSniHostname ? { sslSniHostname } : {}),
    })),
    configStoreId: link?.resourceId ?? null,
    roles: Object.fromEntries(Object.entries(site?.hosts ?? {}).map(([host, entry]) => [host, entry.role])),
    cachingOn,
    staticHostHeader: site?.staticHostHeader ?? null,
    staticPathPrefix: site?.staticPathPrefix ?? null,
  };
}

/** Everything on the old account that holds (or covers) the site's domains. */
export async function readOldAccount(old: FastlyGateway, request: InventoryRequest): Promise<OldAccountInventory> {
  const customer = await old.currentCustomer();
  const active: { service: FastlyService; version: number; names: string[] }[] = [];
  for (const service of await old.listServices()) {
    if (service.activeVersion === null) continue;
    active.push({
      service,
      version: service.activeVersion,
      names: (await old.listDomains(service.id, service.activeVersion)).map((name) => name.toLowerCase()),
    });
  }
  let hosts = (request.domains ?? []).map((domain) => domain.toLowerCase());
  if (hosts.length === 0) {
    const named = active.find((entry) => entry.service.name === request.service);
    hosts = named?.names.filter((name) => !name.startsWith('*.')) ?? [];
    if (hosts.length === 0) {
      throw new EdgeplaneError(
        'invalid_input',
        `The old Fastly account (${customer.name}) has no active service named "${request.service}" with domains: name the domains to move`,
      );
    }
  }
  const services: OldService[] = [];
  for (const entry of active) {
    if (entry.names.some((name) => coversAny(name, hosts))) services.push(await readService(old, entry.service, entry.version, entry.names, hosts));
  }
  const tlsSubscriptions = (await old.listTlsSubscriptions())
    .filter((subscription) => subscription.domains.some((name) => coversAny(name, hosts)))
    .map(({ id, state, domains }) => ({ id, state, domains }));
  const tlsCertificates = (await old.listTlsCertificates()).filter((certificate) => certificate.domains.some((name) => coversAny(name, hosts)));
  // A certificate's activations all go before it, also those of names that are not moving.
  const certificateIds = new Set(tlsCertificates.map((certificate) => certificate.id));
  const tlsActivations = (await old.listTlsActivations())
    .filter((activation) => certificateIds.has(activation.certificateId) || coversAny(activation.domain, hosts))
    .map(({ id, certificateId, domain }) => ({ id, certificateId, domain }));
  const managedDomains = (await old.listManagedDomains())
    .filter((managed) => coversAny(managed.fqdn, hosts))
    .map(({ id, fqdn, serviceId }) => ({ id, fqdn, serviceId }));
  return { customer, readAt: request.now.toISOString(), domains: hosts, services, tlsSubscriptions, tlsCertificates, tlsActivations, managedDomains };
}
