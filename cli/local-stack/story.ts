import type { DomainRecord } from '../../src/model';
import type { ApiClient } from '../client';

// The seed story of `npm start`: a previous Fastly account still holds the instance's domain; it
// lets go a little later, Fastly releases the domain after its delay, and edgeplane, which kept
// probing, attaches it, gets its certificate and switches caching on.

export interface SimAccounts {
  /** Makes a new account hold `domain`; returns the account id. */
  holdByPreviousAccount(domain: string): Promise<string>;
  /** The holder lets go: Fastly still refuses the domain for the release delay. */
  letGo(domain: string): Promise<void>;
}

export function simAccounts(simUrl: string): SimAccounts {
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${simUrl}/__sim${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`simulator ${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  return {
    async holdByPreviousAccount(domain) {
      const account = await control('POST', '/accounts', { name: 'previous account' });
      await control('POST', '/holds', { domain, account: account.customerId });
      return String(account.customerId);
    },
    async letGo(domain) {
      await control('DELETE', `/holds/${encodeURIComponent(domain)}`);
    },
  };
}

export interface StorySite {
  service: string;
  domain: string;
  staticDomain: string;
  origin: { address: string; port: number };
}

/** Creates the service, runs `beforeAttach` (to add notification channels, say) and attaches both domains. */
export async function seedSite(client: ApiClient, site: StorySite, beforeAttach: () => Promise<void> = async () => {}): Promise<void> {
  const origin = { ...site.origin, useTls: false };
  await client.createService({
    name: site.service,
    origins: { main: { ...origin }, static: { ...origin, hostHeader: site.staticDomain } },
  });
  await beforeAttach();
  await client.attachDomain(site.service, { domain: site.domain, role: 'main' });
  await client.attachDomain(site.service, { domain: site.staticDomain, role: 'static' });
}

const clockTime = (iso: string) => iso.slice(11, 19);

/**
 * Prints each domain's history as it grows, until `until` says stop. Resolves with the last
 * records seen. `heldLines` are lines about changes already saved (notifications: each is sent
 * after its change is saved), taken before each read and said after the history it read, so they
 * come after the change they tell of.
 */
export async function followStory(
  client: ApiClient,
  service: string,
  say: (line: string) => void,
  until: (records: DomainRecord[]) => boolean,
  intervalMs: number,
  heldLines: () => string[] = () => [],
): Promise<DomainRecord[]> {
  const printed = new Map<string, number>();
  const lastState = new Map<string, string>();
  const full = new Map<string, DomainRecord>();
  for (;;) {
    const held = heldLines();
    // The list has no history: a domain's full record is read again only when it changed.
    const records: DomainRecord[] = [];
    for (const summary of await client.listDomains(service)) {
      const known = full.get(summary.domain);
      const record = known?.updatedAt === summary.updatedAt ? known : await client.getDomain(service, summary.domain);
      full.set(summary.domain, record);
      records.push(record);
    }
    // New events of every domain, in the order they happened.
    const fresh = records.flatMap((record) => record.history.slice(printed.get(record.domain) ?? 0).map((event) => ({ domain: record.domain, event })));
    fresh.sort((a, b) => a.event.at.localeCompare(b.event.at));
    for (const { domain, event } of fresh) say(`${clockTime(event.at)}  ${domain}  ${event.from ?? '-'} -> ${event.to}  ${event.message}`);
    for (const record of records) {
      printed.set(record.domain, record.history.length);
      const lastEvent = record.history.at(-1);
      if (lastState.get(record.domain) !== record.state && lastEvent?.to !== record.state) {
        const why = record.lastError ? `: ${record.lastError.detail}` : '';
        say(`${clockTime(record.updatedAt)}  ${record.domain}  now ${record.state}${why}`);
      }
      lastState.set(record.domain, record.state);
    }
    for (const line of held) say(line);
    if (until(records)) return records;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
