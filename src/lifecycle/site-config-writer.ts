import type { FastlyGateway } from '../fastly/gateway';
import type { DomainRole } from '../model';
import { BACKEND_NAMES, SITE_CONFIG_KEY, SiteConfig } from '../site-config';
import type { StoredService } from '../store';

function parseStored(text: string | null): SiteConfig | null {
  if (text === null) return null;
  try {
    const parsed = SiteConfig.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Writes the `site` key the edge reads: the service's origins settings, and the domains that are
 * live, by role. Reads first and writes only a change, so repeating it costs one GET.
 */
export async function writeSiteConfig(
  gateway: FastlyGateway,
  service: StoredService & { configStoreId: string },
  domains: { set?: { role: DomainRole; domain: string }; clear?: string } = {},
): Promise<SiteConfig> {
  const text = await gateway.getConfigItem(service.configStoreId, SITE_CONFIG_KEY);
  const current = parseStored(text);
  const next: SiteConfig = {
    mainDomain: current?.mainDomain ?? null,
    staticDomain: current?.staticDomain ?? null,
    wwwRedirect: current?.wwwRedirect ?? false,
    backends: { main: BACKEND_NAMES.main, static: BACKEND_NAMES.static },
    staticHostHeader: service.origins.static.hostHeader ?? null,
    staticPathPrefix: service.origins.static.pathPrefix ?? null,
  };
  if (domains.set) next[domains.set.role === 'main' ? 'mainDomain' : 'staticDomain'] = domains.set.domain;
  if (domains.clear !== undefined) {
    if (next.mainDomain === domains.clear) next.mainDomain = null;
    if (next.staticDomain === domains.clear) next.staticDomain = null;
  }
  const value = JSON.stringify(next);
  if (value !== text) await gateway.putConfigItem(service.configStoreId, SITE_CONFIG_KEY, value);
  return next;
}
