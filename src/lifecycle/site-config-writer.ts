import { EdgeplaneError } from '../errors';
import type { FastlyGateway } from '../fastly/gateway';
import { BACKEND_NAMES, CONFIG_VALUE_MAX_CHARS, type DomainRole, mainHostOf, SITE_CONFIG_KEY, type SiteConfig, withHost, withoutHost } from '../site-config';
import { parseStoredSiteConfig } from '../site-config-schema';
import type { StoredService } from '../store';

export type SiteChange = { set: ReadonlyArray<{ role: DomainRole; domain: string }> } | { clear: string } | Record<string, never>;

/**
 * Writes the `site` key the edge reads, in the service's own Config Store: the service's origin
 * settings, and hosts set or one cleared; every other host stays as Fastly has it.
 * Reads first and writes only a change, so repeating it costs one GET.
 */
export async function writeSiteConfig(
  gateway: FastlyGateway,
  service: StoredService & { configStoreId: string },
  change: SiteChange = {},
): Promise<SiteConfig> {
  const text = await gateway.getConfigItem(service.configStoreId, SITE_CONFIG_KEY);
  let site = siteConfigOf(service, parseStoredSiteConfig(text));
  for (const { domain, role } of 'set' in change ? change.set : []) {
    const otherMain = role === 'main' ? mainHostOf(site, domain) : null;
    if (otherMain !== null) {
      throw new EdgeplaneError(
        'conflict',
        `the edge of "${service.name}" already serves ${otherMain} as its main host; cancel it first, or attach ${domain} as alias or redirect`,
      );
    }
    site = withHost(site, domain, role);
  }
  if ('clear' in change) site = withoutHost(site, change.clear);
  const value = siteConfigValue(service.name, site);
  if (value !== text) await gateway.putConfigItem(service.configStoreId, SITE_CONFIG_KEY, value);
  return site;
}

/** The service's origin settings with the hosts (and canonical host) of `current`, if any. */
export function siteConfigOf(service: StoredService, current: Pick<SiteConfig, 'hosts' | 'canonicalHost'> | null): SiteConfig {
  return {
    hosts: current?.hosts ?? {},
    canonicalHost: current?.canonicalHost ?? null,
    backends: { main: BACKEND_NAMES.main, static: BACKEND_NAMES.static },
    staticHostHeader: service.origins.static.hostHeader ?? null,
    staticPathPrefix: service.origins.static.pathPrefix ?? null,
  };
}

/**
 * The `site` value as stored, refused (409) when Fastly would refuse it: over its 8,000
 * characters a value is not stored, and the edge would never learn of the host.
 */
export function siteConfigValue(serviceName: string, site: SiteConfig): string {
  const value = JSON.stringify(site);
  if (value.length > CONFIG_VALUE_MAX_CHARS) {
    const hosts = Object.keys(site.hosts).length;
    throw new EdgeplaneError(
      'conflict',
      `the edge config of service "${serviceName}" would be ${value.length} characters with ${hosts} hosts, over Fastly's limit of ${CONFIG_VALUE_MAX_CHARS} per Config Store value; attach further hosts to another service`,
    );
  }
  return value;
}

/** Reads the `site` key back from Fastly: the role the edge gives `domain` there, or null. */
export async function liveRoleOf(gateway: FastlyGateway, configStoreId: string, domain: string): Promise<DomainRole | null> {
  const site = parseStoredSiteConfig(await gateway.getConfigItem(configStoreId, SITE_CONFIG_KEY));
  const host = domain.toLowerCase();
  return site && Object.hasOwn(site.hosts, host) ? site.hosts[host]!.role : null;
}
