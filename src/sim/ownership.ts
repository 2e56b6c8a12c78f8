import type { SimState } from './state';

// Global domain ownership (docs/fastly-facts.md, "Domains held by another account"): an account owns
// a domain while it is on one of its active versions, in one of its TLS subscriptions, on one
// of its Domain Management domains, or held through /__sim/holds. When the last claim of an
// account goes away the domain stays refused to others for the release delay.

export interface Holder {
  customerId: string;
  /** Set when the claim is an active version of a service. */
  serviceId?: string;
}

/** Every live claim, derived from the state. */
export function liveHolders(state: SimState, domain: string): Holder[] {
  const name = domain.toLowerCase();
  const holders: Holder[] = [];
  for (const service of state.services.values()) {
    const active = service.versions.find((version) => version.active);
    if (active?.domains.some((entry) => entry.name === name)) holders.push({ customerId: service.customerId, serviceId: service.id });
  }
  for (const subscription of state.tlsSubscriptions.values()) {
    if (subscription.domains.includes(name)) holders.push({ customerId: subscription.customerId });
  }
  for (const managed of state.managedDomains.values()) {
    if (managed.fqdn === name) holders.push({ customerId: managed.customerId });
  }
  const held = state.holds.get(name);
  if (held) holders.push({ customerId: held });
  return holders.filter((holder) => !state.accounts.get(holder.customerId)?.deleted);
}

function allClaims(state: SimState): Map<string, Set<string>> {
  const domains = new Set<string>();
  for (const service of state.services.values()) for (const version of service.versions) if (version.active) for (const d of version.domains) domains.add(d.name);
  for (const subscription of state.tlsSubscriptions.values()) for (const d of subscription.domains) domains.add(d);
  for (const managed of state.managedDomains.values()) domains.add(managed.fqdn);
  for (const domain of state.holds.keys()) domains.add(domain);
  const claims = new Map<string, Set<string>>();
  for (const domain of domains) {
    const customers = new Set(liveHolders(state, domain).map((holder) => holder.customerId));
    if (customers.size > 0) claims.set(domain, customers);
  }
  return claims;
}

/** Call after every change: claims that disappeared start their release delay. */
export function recordReleases(state: SimState): void {
  const now = state.now();
  const current = allClaims(state);
  for (const [domain, customers] of state.claims) {
    for (const customerId of customers) {
      if (current.get(domain)?.has(customerId)) continue;
      state.releases = state.releases.filter((release) => !(release.domain === domain && release.customerId === customerId));
      state.releases.push({ domain, customerId, until: now + state.config.releaseDelayMs });
    }
  }
  state.releases = state.releases.filter((release) => release.until > now && !current.get(release.domain)?.has(release.customerId));
  state.claims = current;
}

export type Refusal =
  | { kind: 'other_customer' }
  | { kind: 'own_service'; serviceName: string };

/**
 * Why `customerId` may not take `domain` (for `serviceId`, when adding it to a service), or null.
 * Another account's live claim or unfinished release wins first; then the account's own other services.
 */
export function refusalFor(state: SimState, domain: string, customerId: string, serviceId?: string): Refusal | null {
  const name = domain.toLowerCase();
  const holders = liveHolders(state, name);
  if (holders.some((holder) => holder.customerId !== customerId)) return { kind: 'other_customer' };
  const now = state.now();
  if (state.releases.some((release) => release.domain === name && release.customerId !== customerId && release.until > now)) {
    return { kind: 'other_customer' };
  }
  if (serviceId) {
    const other = holders.find((holder) => holder.serviceId && holder.serviceId !== serviceId);
    if (other?.serviceId) return { kind: 'own_service', serviceName: state.services.get(other.serviceId)?.name ?? other.serviceId };
  }
  return null;
}

export function refusalDetail(domain: string, refusal: Refusal): string {
  return refusal.kind === 'other_customer'
    ? `Domain '${domain}' is owned by another customer`
    : `Domain '${domain}' is already taken by service '${refusal.serviceName}'`;
}
