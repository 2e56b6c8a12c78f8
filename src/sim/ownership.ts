import { coveringNames } from '../domain-name';
import type { SimState } from './state';

// Global domain ownership (docs/fastly-facts.md, "Domains held by another account"): an account owns
// a domain while it is on one of its active versions, in one of its TLS subscriptions or uploaded
// certificates, TLS-activated, on one of its Domain Management domains, or held through /__sim/holds. When the last claim of an
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
  for (const certificate of state.tlsCertificates.values()) {
    if (certificate.domains.includes(name)) holders.push({ customerId: certificate.customerId });
  }
  for (const activation of state.tlsActivations.values()) {
    if (activation.domain === name) holders.push({ customerId: activation.customerId });
  }
  const held = state.holds.get(name);
  if (held) holders.push({ customerId: held });
  return holders.filter((holder) => !state.accounts.get(holder.customerId)?.deleted);
}

/** Every live claim by domain, in one pass over the state (it runs after every change). */
function allClaims(state: SimState): Map<string, Set<string>> {
  const claims = new Map<string, Set<string>>();
  const claim = (domain: string, customerId: string) => {
    if (state.accounts.get(customerId)?.deleted) return;
    const name = domain.toLowerCase();
    const customers = claims.get(name) ?? new Set<string>();
    claims.set(name, customers.add(customerId));
  };
  for (const service of state.services.values()) {
    for (const entry of service.versions.find((version) => version.active)?.domains ?? []) claim(entry.name, service.customerId);
  }
  for (const subscription of state.tlsSubscriptions.values()) for (const domain of subscription.domains) claim(domain, subscription.customerId);
  for (const managed of state.managedDomains.values()) claim(managed.fqdn, managed.customerId);
  for (const certificate of state.tlsCertificates.values()) for (const domain of certificate.domains) claim(domain, certificate.customerId);
  for (const activation of state.tlsActivations.values()) claim(activation.domain, activation.customerId);
  for (const [domain, customerId] of state.holds) claim(domain, customerId);
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

export type Refusal = { kind: 'other_customer' } | { kind: 'own_service'; serviceName: string };

/**
 * Why `customerId` may not take `domain` (for `serviceId`, when adding it to a service), or null.
 * Another account's live claim or unfinished release on the name, a parent or a parent's wildcard
 * wins first; then the account's own other services.
 */
export function refusalFor(state: SimState, domain: string, customerId: string, serviceId?: string): Refusal | null {
  const name = domain.toLowerCase();
  const now = state.now();
  for (const covering of coveringNames(name)) {
    if (liveHolders(state, covering).some((holder) => holder.customerId !== customerId)) return { kind: 'other_customer' };
    if (state.releases.some((release) => release.domain === covering && release.customerId !== customerId && release.until > now)) {
      return { kind: 'other_customer' };
    }
  }
  if (serviceId) {
    const other = liveHolders(state, name).find((holder) => holder.serviceId && holder.serviceId !== serviceId);
    if (other?.serviceId) return { kind: 'own_service', serviceName: state.services.get(other.serviceId)?.name ?? other.serviceId };
  }
  return null;
}

/**
 * Whether the domain serves on one of the account's services: on an active version, or (an
 * inference for versionless domains) a Domain Management domain linked to a service with one.
 */
export function onActiveVersionOf(state: SimState, domain: string, customerId: string): boolean {
  const name = domain.toLowerCase();
  if (liveHolders(state, name).some((holder) => holder.customerId === customerId && holder.serviceId !== undefined)) return true;
  return [...state.managedDomains.values()].some((managed) => {
    if (managed.customerId !== customerId || managed.fqdn !== name || !managed.service_id) return false;
    return state.services.get(managed.service_id)?.versions.some((version) => version.active) ?? false;
  });
}

export function refusalDetail(domain: string, refusal: Refusal): string {
  return refusal.kind === 'other_customer'
    ? `Domain '${domain}' is owned by another customer`
    : `Domain '${domain}' is already taken by service '${refusal.serviceName}'`;
}
