// What the control plane writes into a service's Config Store and the edge app reads from it.
// Both change without a new service version. Plain types, no zod: the edge bundle imports this
// file (the edge checks the value with edge/site-config-check.ts, the control plane with
// src/site-config-schema.ts).

/**
 * The name under which every service's own Config Store is linked to its versions: the Wasm
 * opens the store by this link name, whatever the store itself is called.
 */
export const CONFIG_STORE_LINK_NAME = 'edgeplane';

/** The Config Store a service gets when none is named: one per service, so no two share keys. */
export function defaultConfigStoreName(service: string): string {
  return `edgeplane-${service}`;
}

/** Config Store key holding the site configuration as one JSON value. */
export const SITE_CONFIG_KEY = 'site';

/**
 * Fastly stores a Config Store value of at most 8,000 characters (docs/fastly-facts.md, "Config
 * Store"): the `site` value, with every host of the service in it, must fit.
 */
export const CONFIG_VALUE_MAX_CHARS = 8000;

/** Config Store key of the caching switch for one host: value `on` | `off`, absent = off. */
export function cachingKey(host: string): string {
  return `caching:${host}`;
}

/** Names of the static backends on the Fastly service. */
export const BACKEND_NAMES = { main: 'main_origin', static: 'static_origin' } as const;

/**
 * What the edge does with a host: `main` is the canonical host (one per service), `alias` is
 * served like it, `redirect` answers 301 to the canonical host (e.g. `www`), `static` is served
 * from the files origin.
 */
export const DOMAIN_ROLES = ['main', 'alias', 'redirect', 'static'] as const;
export type DomainRole = (typeof DOMAIN_ROLES)[number];

export interface SiteHost {
  role: DomainRole;
}

export interface SiteConfig {
  /** Every live host of the service (lower case) with its role; the edge refuses any other host. */
  hosts: Record<string, SiteHost>;
  /** The `main` host, where `redirect` hosts send visitors; null while the service has none. */
  canonicalHost: string | null;
  backends: { main: string; static: string };
  /** Host header for the files origin (object storage bucket host); null: the backend's address. */
  staticHostHeader: string | null;
  /** Path prefix added in front of static paths (bucket prefix), e.g. `/toot-media`. */
  staticPathPrefix: string | null;
}

/** A site config with the given hosts and default settings (the edge CLI and the local edge). */
export function siteWithHosts(hosts: Partial<Record<DomainRole, string[]>>, settings: Partial<Omit<SiteConfig, 'hosts' | 'canonicalHost'>> = {}): SiteConfig {
  let site: SiteConfig = {
    hosts: {},
    canonicalHost: null,
    backends: { main: BACKEND_NAMES.main, static: BACKEND_NAMES.static },
    staticHostHeader: null,
    staticPathPrefix: null,
    ...settings,
  };
  for (const role of DOMAIN_ROLES) {
    for (const host of hosts[role] ?? []) site = withHost(site, host, role);
  }
  return site;
}

/** The site with one host set to a role; a `main` host becomes the canonical host. */
export function withHost(site: SiteConfig, host: string, role: DomainRole): SiteConfig {
  const name = host.toLowerCase();
  const hosts = { ...site.hosts, [name]: { role } };
  let canonicalHost = site.canonicalHost;
  if (role === 'main') canonicalHost = name;
  else if (canonicalHost === name) canonicalHost = null;
  return { ...site, hosts, canonicalHost };
}

/** The site without one host; the other hosts stay as they are. */
export function withoutHost(site: SiteConfig, host: string): SiteConfig {
  const name = host.toLowerCase();
  const hosts = { ...site.hosts };
  delete hosts[name];
  return { ...site, hosts, canonicalHost: site.canonicalHost === name ? null : site.canonicalHost };
}

/** The host of a service serving as `main` other than `except`, if any. */
export function mainHostOf(site: SiteConfig, except?: string): string | null {
  const found = Object.entries(site.hosts).find(([host, entry]) => entry.role === 'main' && host !== except);
  return found ? found[0] : null;
}
