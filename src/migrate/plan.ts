import { isApexDomain } from '../dns-records';
import { coveringNames } from '../domain-name';
import type { DomainRole, Origin } from '../model';
import type { Claim, ClaimCoverage, DnsChange, GapAdvice, MigrationPlan, MigrationStep, OldAccountInventory, OldService } from './model';
import { mirrorOrigins } from './origins';

// The migration plan, decided from the old account's inventory alone (pure: no Fastly call).
// Claims come off the old account in Fastly's order (docs/fastly-facts.md, "Moving a domain
// between accounts"): caching off, TLS subscriptions deleted with force, each certificate after its
// TLS activations, the names removed from a new version that is then activated, Domain Management
// records last.

export interface PlanRequest {
  service: string;
  inventory: OldAccountInventory;
  /** Roles on the new service; default: the old service's `site` roles, else `main` for the first domain and `alias` for the rest. */
  roles?: Readonly<Record<string, DomainRole>>;
  /** The new service's origins; default: mirrored from the old service's backends. */
  origins?: { main: Origin; static: Origin };
  /** The TTL to lower the site's records to before the move. Default 60 s. */
  ttlSeconds?: number;
}

export const DEFAULT_MIGRATION_TTL_SECONDS = 60;

/** How `name` (as claimed on the old account) covers `host`, or null when it does not. */
export function coverage(name: string, host: string): ClaimCoverage | null {
  const claimed = name.toLowerCase();
  if (claimed === host) return 'exact';
  if (!coveringNames(host).includes(claimed)) return null;
  return claimed.startsWith('*.') ? 'wildcard' : 'parent';
}

function coveredHosts(name: string, hosts: readonly string[]): string[] {
  return hosts.filter((host) => coverage(name, host) !== null);
}

/** The widest coverage of a name over the hosts it holds: exact when it is one of them. */
function coverageOver(name: string, hosts: readonly string[]): ClaimCoverage {
  if (hosts.includes(name.toLowerCase())) return 'exact';
  return name.startsWith('*.') ? 'wildcard' : 'parent';
}

/** Omit over each member of a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Draft = DistributiveOmit<MigrationStep, 'order'>;
type DraftClaim = Omit<Claim, 'removedAtStep'>;

/** The plan for moving `request.inventory.domains` to the new account's service `request.service`. */
export function buildMigrationPlan(request: PlanRequest): MigrationPlan {
  const { inventory, service } = request;
  const hosts = inventory.domains.map((domain) => domain.toLowerCase());
  const ttlSeconds = request.ttlSeconds ?? DEFAULT_MIGRATION_TTL_SECONDS;
  const holding = inventory.services.filter((old) => old.activeVersion !== null && old.domains.some((name) => coveredHosts(name, hosts).length > 0));
  const roles = rolesFor(hosts, request.roles, holding);
  const mirrored = request.origins
    ? { origins: request.origins, from: { kind: 'given' as const, reason: 'origins given with the request' } }
    : mirrorOrigins(holding);
  const warnings: string[] = [...(mirrored.warnings ?? [])];

  const drafts: { step: Draft; claims: DraftClaim[] }[] = [];
  const add = (step: DistributiveOmit<Draft, 'claimIds'>, claims: DraftClaim[] = []) =>
    drafts.push({ step: { ...step, claimIds: claims.map((claim) => claim.id) } as Draft, claims });

  add({
    action: 'lower_dns_ttl',
    where: 'dns',
    domains: hosts,
    ttlSeconds,
    description: `Lower the TTL of the DNS records of ${hosts.join(', ')} to ${ttlSeconds} s, then wait at least the old TTL`,
    reason: 'the two DNS switches of the move (to the origin and back to Fastly) take effect only once resolvers let go of the old answers',
  });
  add({
    action: 'create_service',
    where: 'new_account',
    domains: [],
    service,
    origins: mirrored.origins,
    description: `Create the service ${service} on the new account with main origin ${mirrored.origins.main.address} and static origin ${mirrored.origins.static.address}`,
    reason: "the new service is ready before the old one lets go, so only Fastly's release delay separates them",
  });
  add({
    action: 'point_dns_at_origin',
    where: 'dns',
    domains: hosts,
    description: `Point ${hosts.join(', ')} at the origins instead of Fastly, then wait the lowered TTL`,
    reason: 'from the next steps on the old account no longer serves these hosts, and Fastly answers "unknown domain" for a host no service holds',
  });

  for (const old of holding) {
    const off = old.cachingOn.filter((host) => hosts.includes(host));
    if (old.configStoreId && off.length > 0) {
      add({
        action: 'caching_off',
        where: 'old_account',
        domains: off,
        serviceId: old.id,
        configStoreId: old.configStoreId,
        description: `Switch caching off for ${off.join(', ')} on the old service ${old.name}`,
        reason: 'the old service passes requests through while its TLS and domains are taken away, so no cached page outlives the move',
      });
    }
  }
  for (const subscription of inventory.tlsSubscriptions) {
    const claims = subscription.domains
      .filter((name) => coveredHosts(name, hosts).length > 0)
      .map((name) => claimOf('tls_subscription', subscription.id, name, hosts, { subscriptionId: subscription.id }, 'a TLS subscription on the old account'));
    if (claims.length === 0) continue;
    const force = subscription.state === 'issued' || subscription.state === 'renewing';
    add(
      {
        action: 'delete_tls_subscription',
        where: 'old_account',
        domains: heldBy(claims),
        subscriptionId: subscription.id,
        force,
        description: `Delete the TLS subscription ${subscription.id} (${subscription.domains.join(', ')})${force ? ' with force' : ''}`,
        reason: force
          ? 'Fastly refuses to delete a subscription whose domains are active unless forced, and refuses to remove a domain that still has one'
          : 'a subscription claims its domains until it is deleted; not yet issued, it goes without force',
      },
      claims,
    );
  }
  for (const certificate of inventory.tlsCertificates) {
    const claims = certificate.domains
      .filter((name) => coveredHosts(name, hosts).length > 0)
      .map((name) => claimOf('tls_certificate', certificate.id, name, hosts, { certificateId: certificate.id }, 'a TLS certificate on the old account'));
    if (claims.length === 0) continue;
    const activations = inventory.tlsActivations.filter((activation) => activation.certificateId === certificate.id);
    if (activations.length > 0) {
      const activationClaims = activations
        .filter((activation) => coveredHosts(activation.domain, hosts).length > 0)
        .map((activation) =>
          claimOf(
            'tls_activation',
            activation.id,
            activation.domain,
            hosts,
            { certificateId: certificate.id, activationId: activation.id },
            `the TLS activation of the certificate ${certificate.name} on the old account`,
          ),
        );
      const others = activations.filter((activation) => coveredHosts(activation.domain, hosts).length === 0).map((activation) => activation.domain);
      if (others.length > 0) {
        warnings.push(
          `the certificate ${certificate.name} (${certificate.id}) is also TLS-activated for ${others.join(', ')}, which ${others.length > 1 ? 'are' : 'is'} not moving; deleting it disables TLS there too`,
        );
      }
      add(
        {
          action: 'delete_tls_activations',
          where: 'old_account',
          domains: heldBy(activationClaims),
          certificateId: certificate.id,
          activations: activations.map(({ id, domain }) => ({ id, domain })),
          description: `Disable the certificate ${certificate.name} (${certificate.id}) on ${activations.map((activation) => activation.domain).join(', ')}: delete its TLS activations`,
          reason: 'Fastly refuses to delete a certificate that is still enabled for a domain, and an activated domain stays claimed until its activation goes',
        },
        activationClaims,
      );
    }
    add(
      {
        action: 'delete_tls_certificate',
        where: 'old_account',
        domains: heldBy(claims),
        certificateId: certificate.id,
        description: `Delete the TLS certificate ${certificate.name} (${certificate.id})`,
        reason: 'an uploaded certificate claims the names it covers until it is deleted',
      },
      claims,
    );
  }
  const deletedCertificates = new Set(inventory.tlsCertificates.map((certificate) => certificate.id));
  for (const activation of inventory.tlsActivations.filter((entry) => !deletedCertificates.has(entry.certificateId))) {
    // A subscription's certificate is activated by Fastly itself, and goes with the forced deletion.
    if (inventory.tlsSubscriptions.some((subscription) => subscription.domains.includes(activation.domain))) continue;
    warnings.push(
      `${activation.domain} is TLS-activated (${activation.id}) with the certificate ${activation.certificateId}, which the plan does not delete: delete that activation on the old account before the move`,
    );
  }
  for (const old of holding) {
    const names = old.domains.filter((name) => coveredHosts(name, hosts).length > 0);
    const claims = names.map((name) =>
      claimOf(
        'active_version',
        `${old.id}:${name}`,
        name,
        hosts,
        { serviceId: old.id, serviceName: old.name, version: old.activeVersion ?? undefined },
        `version ${old.activeVersion} of the service ${old.name} on the old account`,
      ),
    );
    for (const name of names.filter((name) => !hosts.includes(name))) {
      warnings.push(
        `${name} on the old service ${old.name} covers ${coveredHosts(name, hosts).join(', ')}; removing it also stops the old service answering for every other host it covers`,
      );
    }
    add(
      {
        action: 'remove_domains_from_service',
        where: 'old_account',
        domains: heldBy(claims),
        serviceId: old.id,
        fromVersion: old.activeVersion!,
        names,
        description: `Remove ${names.join(', ')} from the old service ${old.name}: clone version ${old.activeVersion}, delete them, activate the clone`,
        reason: 'an active version holds its domains; one new version per service, activated once',
      },
      claims,
    );
  }
  for (const managed of inventory.managedDomains) {
    if (coveredHosts(managed.fqdn, hosts).length === 0) continue;
    const claims = [
      claimOf('managed_domain', managed.id, managed.fqdn, hosts, { managedDomainId: managed.id }, 'a Domain Management record on the old account'),
    ];
    add(
      {
        action: 'delete_managed_domain',
        where: 'old_account',
        domains: heldBy(claims),
        managedDomainId: managed.id,
        fqdn: managed.fqdn,
        description: `Delete the Domain Management record ${managed.fqdn} (${managed.id})`,
        reason: 'a Domain Management record claims its name on its own; Fastly refuses to delete it while a TLS subscription still names it',
      },
      claims,
    );
  }
  add({
    action: 'attach_domains',
    where: 'new_account',
    domains: hosts,
    service,
    roles,
    description: `Attach ${hosts.map((host) => `${host} (${roles[host]})`).join(', ')} to ${service} on the new account; each waits for Fastly's release, then gets its certificate and caching`,
    reason: 'Fastly keeps refusing a domain for a while after the last claim goes; the retry job probes until it is let go',
  });
  add({
    action: 'point_dns_at_fastly',
    where: 'dns',
    domains: hosts,
    description: `Point ${hosts.join(', ')} back at Fastly with the records \`domains status\` shows, once each is cached on the new account`,
    reason: 'the new certificate is issued through its DNS challenge, so traffic can stay on the origin until then',
  });

  const steps = drafts.map(({ step }, index) => ({ ...step, order: index + 1 }) as MigrationStep);
  const claims = drafts.flatMap(({ claims: stepClaims }, index) => stepClaims.map((claim) => ({ ...claim, removedAtStep: index + 1 })));
  for (const host of hosts) {
    if (!claims.some((claim) => claim.holds.includes(host))) warnings.push(`nothing on the old account holds ${host}`);
  }
  const orderOf = (action: MigrationStep['action']) => steps.find((step) => step.action === action)!.order;
  return {
    service,
    from: { customerId: inventory.customer.id, name: inventory.customer.name },
    readAt: inventory.readAt,
    domains: hosts.map((domain) => ({ domain, role: roles[domain]! })),
    origins: mirrored.origins,
    originsFrom: mirrored.from,
    claims,
    steps,
    dns: dnsChanges(service, hosts, roles, mirrored.origins, ttlSeconds, orderOf),
    gap: gapAdvice(hosts, roles, mirrored.origins, ttlSeconds, steps, claims),
    warnings,
  };
}

function claimOf(kind: Claim['kind'], key: string, name: string, hosts: readonly string[], ids: Partial<Claim>, where: string): DraftClaim {
  const holds = coveredHosts(name, hosts);
  const how = coverageOver(name, holds);
  const description = how === 'exact' ? `held by ${where}` : `held by ${where}, through ${how === 'wildcard' ? 'the wildcard' : 'the parent domain'} ${name}`;
  return { id: `${kind}:${key}`, kind, name: name.toLowerCase(), coverage: how, holds, ...ids, description };
}

function heldBy(claims: readonly DraftClaim[]): string[] {
  return [...new Set(claims.flatMap((claim) => claim.holds))];
}

/** Roles as given, else the old service's `site`, else the first host `main` and the rest `alias`. */
function rolesFor(hosts: readonly string[], given: PlanRequest['roles'], holding: readonly OldService[]): Record<string, DomainRole> {
  const roles: Record<string, DomainRole> = {};
  for (const [index, host] of hosts.entries()) {
    const fromOld = holding.find((old) => old.roles[host])?.roles[host];
    roles[host] = given?.[host] ?? fromOld ?? (index === 0 ? 'main' : 'alias');
  }
  return roles;
}

function originFor(role: DomainRole, origins: { main: Origin; static: Origin }): Origin {
  return role === 'static' ? origins.static : origins.main;
}

function dnsChanges(
  service: string,
  hosts: readonly string[],
  roles: Readonly<Record<string, DomainRole>>,
  origins: { main: Origin; static: Origin },
  ttlSeconds: number,
  orderOf: (action: MigrationStep['action']) => number,
): DnsChange[] {
  const changes: DnsChange[] = [];
  for (const host of hosts) {
    changes.push({
      domain: host,
      atStep: orderOf('lower_dns_ttl'),
      purpose: 'lower_ttl',
      record: null,
      description: `Set the TTL of ${host}'s records to ${ttlSeconds} s`,
    });
  }
  for (const host of hosts) {
    const origin = originFor(roles[host]!, origins);
    const address = origin.address;
    const isIp = /^[\d.]+$/.test(address) || address.includes(':');
    const record = isIp
      ? { type: address.includes(':') ? ('AAAA' as const) : ('A' as const), name: host, value: address, ttlSeconds }
      : isApexDomain(host)
        ? null
        : { type: 'CNAME' as const, name: host, value: address, ttlSeconds };
    changes.push({
      domain: host,
      atStep: orderOf('point_dns_at_origin'),
      purpose: 'bypass_fastly',
      record,
      description: record
        ? `Point ${host} at its origin ${address}`
        : `Point ${host} at the addresses of ${address} (a zone apex takes no CNAME: A/AAAA records, or an ALIAS/ANAME)`,
    });
  }
  for (const host of hosts) {
    changes.push({
      domain: host,
      atStep: orderOf('point_dns_at_fastly'),
      purpose: 'back_to_fastly',
      record: null,
      description: `Point ${host} at Fastly with the traffic records of the new TLS subscription (\`edgeplane domains status ${host} --service ${service}\`)`,
    });
  }
  return changes;
}

function gapAdvice(
  hosts: readonly string[],
  roles: Readonly<Record<string, DomainRole>>,
  origins: { main: Origin; static: Origin },
  ttlSeconds: number,
  steps: readonly MigrationStep[],
  claims: readonly Claim[],
): GapAdvice[] {
  const attach = steps.find((step) => step.action === 'attach_domains')!.order;
  return hosts.map((host) => {
    // The old account stops serving the host when its active version loses it; with no version
    // claim, when its first claim goes.
    const served = claims.filter((claim) => claim.holds.includes(host));
    const versionClaim = served.find((claim) => claim.kind === 'active_version');
    const first = versionClaim?.removedAtStep ?? Math.min(...served.map((claim) => claim.removedAtStep), attach);
    const origin = originFor(roles[host]!, origins);
    return {
      domain: host,
      unknownDomainFromStep: first,
      untilStep: attach,
      bypassTo: origin.address,
      lowerTtlToSeconds: ttlSeconds,
      message:
        `From step ${first} until ${host} is active on the new account (step ${attach}, after Fastly's release delay, which Fastly does not publish), `
        + `Fastly answers "unknown domain" for ${host} to anyone whose DNS still points at Fastly. Point it at ${origin.address} before step ${first} `
        + `(TTL lowered to ${ttlSeconds} s well ahead) and back to Fastly once it is cached there${directAdvice(host, roles[host]!, origin)}`,
    };
  });
}

/**
 * What changes when visitors reach the origin without Fastly: they send their own Host, where the
 * service sends the origin's (the static origin's by default, src/lifecycle/provision.ts), and no
 * path prefix is added. Object storage (S3-style virtual hosts) picks the bucket by Host.
 */
function directAdvice(host: string, role: DomainRole, origin: Origin): string {
  const hostSent = origin.hostHeader ?? (role === 'static' ? origin.address : host);
  const notes: string[] = [];
  if (hostSent !== host) {
    notes.push(
      `${origin.address} then gets requests with Host: ${host}, not the Host: ${hostSent} the service sends it; `
        + `${role === 'static' ? 'object storage (S3-style virtual hosts) picks the bucket by Host, so ' : ''}`
        + `it must answer for ${host} itself, with a TLS certificate for that name (e.g. a custom domain set up at the provider), or requests fail meanwhile`,
    );
  }
  if (origin.pathPrefix) notes.push(`the path prefix ${origin.pathPrefix} is not added either, so paths must work without it`);
  return notes.length > 0 ? `. Pointed straight at it, ${notes.join('; ')}` : '';
}
