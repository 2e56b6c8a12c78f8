import { BACKEND_NAMES, DOMAIN_ROLES, type DomainRole, type SiteConfig } from '../src/site-config';

// The edge's check of the `site` value it reads from the Config Store. Hand-written so the Wasm
// bundle stays free of zod; the control plane checks the same shape with zod
// (src/site-config-schema.ts). Anything off makes the whole value unusable: the edge then
// serves no host rather than guess.

const ROLES: ReadonlySet<string> = new Set(DOMAIN_ROLES);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nullableString(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

/** The site config in `text`, or null when it is absent, not JSON or not of the expected shape. */
export function parseSiteConfig(text: string | null): SiteConfig | null {
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(json) || !isRecord(json.hosts)) return null;
  const hosts: Record<string, { role: DomainRole }> = {};
  for (const [host, entry] of Object.entries(json.hosts)) {
    if (!isRecord(entry) || typeof entry.role !== 'string' || !ROLES.has(entry.role)) return null;
    hosts[host.toLowerCase()] = { role: entry.role as DomainRole };
  }
  const { canonicalHost, backends, staticHostHeader, staticPathPrefix } = json;
  if (!nullableString(canonicalHost) || !nullableString(staticHostHeader) || !nullableString(staticPathPrefix)) return null;
  if (backends !== undefined && !(isRecord(backends) && typeof backends.main === 'string' && typeof backends.static === 'string')) return null;
  return {
    hosts,
    canonicalHost: canonicalHost?.toLowerCase() ?? null,
    backends: backends === undefined ? { ...BACKEND_NAMES } : { main: backends.main as string, static: backends.static as string },
    staticHostHeader: staticHostHeader ?? null,
    staticPathPrefix: staticPathPrefix ?? null,
  };
}
