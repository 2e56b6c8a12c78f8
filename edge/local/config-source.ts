import { z } from 'zod';
import { type Clock, systemClock } from '../../src/clock';
import { EdgeplaneError } from '../../src/errors';
import { CONFIG_STORE_LINK_NAME, cachingKey, SITE_CONFIG_KEY, type SiteConfig } from '../../src/site-config';
import { debugKey } from '../app';

// Where the local edge reads its Config Store: the control plane's Fastly API (the simulator or
// the real one), or fixed values given on the command line. Through the API it finds the store
// the way Fastly does for the Wasm: the store linked to the service's active version under the
// link name the edge opens.

export type ConfigReader = (key: string) => Promise<string | null>;

const ServiceVersions = z.object({ id: z.string(), versions: z.array(z.object({ number: z.number(), active: z.boolean() })) });
const ResourceLinks = z.array(z.object({ name: z.string(), resource_id: z.string() }));
const ConfigItemList = z.array(z.object({ item_key: z.string(), item_value: z.string() }));

export interface FastlyConfigStoreOptions {
  /** Base URL of the Fastly API, e.g. http://127.0.0.1:8787 for the simulator. */
  apiUrl: string;
  token: string;
  /** The Fastly service (by name) whose linked Config Store the edge reads. */
  service: string;
  /** How long one read of the store is reused. Default 1 s: a flipped switch shows within a second. */
  refreshMs?: number;
  clock?: Clock;
}

/**
 * Reads the store's items through the Fastly API, reusing them for `refreshMs`. When the API
 * cannot be reached the last items read stay in use; with none read yet the lookup throws.
 */
export function fastlyConfigStoreReader(options: FastlyConfigStoreOptions): ConfigReader {
  const clock = options.clock ?? systemClock;
  const refreshMs = options.refreshMs ?? 1_000;
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  let snapshot: { items: Map<string, string>; readAt: number } | null = null;
  let reading: Promise<Map<string, string>> | null = null;

  /** The answer to a GET, or null when Fastly says 404. */
  async function getJson<T>(path: string, schema: z.ZodType<T>): Promise<T | null> {
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, { headers: { 'fastly-key': options.token, accept: 'application/json' } });
    } catch (error) {
      throw new EdgeplaneError('fastly_unavailable', `cannot reach the Fastly API at ${apiUrl}`, { cause: error });
    }
    if (response.status === 401 || response.status === 403) {
      throw new EdgeplaneError('unauthorized', `the Fastly API refused the token (${response.status})`);
    }
    if (response.status === 404) return null;
    if (!response.ok) throw new EdgeplaneError('fastly_unavailable', `the Fastly API answered ${response.status} to GET ${path}`);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new EdgeplaneError('fastly_unavailable', `unexpected answer to GET ${path}: ${parsed.error.message}`);
    return parsed.data;
  }

  async function readItems(): Promise<Map<string, string>> {
    // No service, active version or link yet: every key is absent, so every host is refused.
    const service = await getJson(`/service/search?name=${encodeURIComponent(options.service)}`, ServiceVersions);
    const active = service?.versions.find((version) => version.active);
    if (!service || !active) return new Map();
    const links = await getJson(`/service/${encodeURIComponent(service.id)}/version/${active.number}/resource`, ResourceLinks);
    const link = links?.find((candidate) => candidate.name === CONFIG_STORE_LINK_NAME);
    if (!link) return new Map();
    const items = await getJson(`/resources/stores/config/${encodeURIComponent(link.resource_id)}/items`, ConfigItemList);
    return new Map((items ?? []).map((item) => [item.item_key, item.item_value]));
  }

  return async (key) => {
    if (snapshot === null || clock.now() - snapshot.readAt >= refreshMs) {
      reading ??= readItems().finally(() => {
        reading = null;
      });
      try {
        snapshot = { items: await reading, readAt: clock.now() };
      } catch (error) {
        if (snapshot === null) throw error;
      }
    }
    return snapshot.items.get(key) ?? null;
  };
}

/** A fixed site config, with one caching switch and one debug switch for all its hosts. */
export function fixedConfigReader(site: SiteConfig, caching: boolean, debug = false): ConfigReader {
  const text = JSON.stringify(site);
  const hosts = Object.keys(site.hosts);
  const switches = new Set(hosts.map((host) => cachingKey(host)));
  const debugSwitches = new Set(hosts.map((host) => debugKey(host)));
  return async (key) => {
    if (key === SITE_CONFIG_KEY) return text;
    if (switches.has(key)) return caching ? 'on' : 'off';
    if (debugSwitches.has(key)) return debug ? 'on' : 'off';
    return null;
  };
}
