import { z } from 'zod';
import type { ControlPlane } from '../control-plane';
import { parseDomainName } from '../domain-name';
import { EdgeplaneError, isEdgeplaneError } from '../errors';
import { AttachInput, type DomainPage, DomainPageRequest, type DomainRecord, type DomainState, PurgeInput, ServiceInput, type ServiceRecord } from '../model';
import { cachingKey, DOMAIN_ROLES, type DomainRole, defaultConfigStoreName, type SiteConfig } from '../site-config';
import type { StoredService } from '../store';
import type { LifecycleContext } from './context';
import { detachDomain } from './detach';
import { DomainPageCache } from './domain-page-cache';
import { provisionService } from './provision';
import { purgeTarget } from './purge-target';
import { iso, moveTo, newDomainRecord, note, reattached, withCondition } from './record';
import { requeueDomainsWaitingForService } from './resume-provisioning';
import { withServiceLease } from './service-lease';
import { siteConfigOf, siteConfigValue } from './site-config-writer';

/** Provisioning is a reconcile: after Fastly was unavailable it is read and resumed, a few times. */
const PROVISION_ATTEMPTS = 4;

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new EdgeplaneError('invalid_input', `invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A domain as stored (lower case, punycode); a name that is not valid is looked up as given. */
function lookupName(domain: string): string {
  try {
    return parseDomainName(domain);
  } catch {
    return domain.toLowerCase();
  }
}

/** A page cursor is a domain name as stored; anything else is a bad cursor, not an empty page. */
function cursorName(after: string): string {
  try {
    return parseDomainName(after);
  } catch (error) {
    throw new EdgeplaneError('invalid_input', `invalid page cursor "after": ${isEdgeplaneError(error) ? error.detail : String(error)}`);
  }
}

const noService = (name: string) => new EdgeplaneError('not_found', `no service "${name}"`);

/** The ControlPlane of the API and the CLI, over the store, the gateway and the lifecycle steps. */
export class LifecycleControlPlane implements ControlPlane {
  private readonly domainPages = new DomainPageCache();

  constructor(private readonly ctx: LifecycleContext) {}

  async createService(raw: ServiceInput): Promise<ServiceRecord> {
    const input = parse(ServiceInput, raw, 'service');
    await withServiceLease(this.ctx, input.name, async () => {
      const now = iso(this.ctx.clock.now());
      const existing = await this.ctx.store.getService(input.name);
      const configStoreName = input.configStoreName ?? existing?.configStoreName ?? defaultConfigStoreName(input.name);
      const sharing = (await this.ctx.store.listServices()).find((other) => other.name !== input.name && other.configStoreName === configStoreName);
      if (sharing) {
        throw new EdgeplaneError(
          'conflict',
          `the Config Store "${configStoreName}" belongs to service "${sharing.name}"; each service needs its own: name another with configStoreName, e.g. "${defaultConfigStoreName(input.name)}"`,
        );
      }
      const stored: StoredService = {
        name: input.name,
        fastlyServiceId: existing?.fastlyServiceId ?? null,
        activeVersion: existing?.activeVersion ?? null,
        configStoreId: existing?.configStoreName === configStoreName ? existing.configStoreId : null,
        configStoreName,
        origins: input.origins,
        status: 'provisioning',
        lastError: null,
        packagePath: existing?.packagePath ?? null,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      await this.ctx.store.putService(stored);
      for (let attempt = 1; ; attempt++) {
        try {
          const current = (await this.ctx.store.getService(input.name)) ?? stored;
          return await provisionService(this.ctx, current);
        } catch (error) {
          const retryable = isEdgeplaneError(error, 'fastly_unavailable') && attempt < PROVISION_ATTEMPTS;
          if (retryable) {
            await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
            continue;
          }
          const failed = (await this.ctx.store.getService(input.name)) ?? stored;
          const lastError = isEdgeplaneError(error) ? { code: error.code, detail: error.detail } : { code: 'internal' as const, detail: String(error) };
          await this.ctx.store.putService({ ...failed, status: 'needs_attention', lastError, updatedAt: iso(this.ctx.clock.now()) });
          throw error;
        }
      }
    });
    await this.resumeDomainsWaitingForService(input.name);
    return this.getService(input.name);
  }

  /** Domains stopped because the service had no active version go on once it has one. */
  private async resumeDomainsWaitingForService(name: string): Promise<void> {
    await withServiceLease(this.ctx, name, () => requeueDomainsWaitingForService(this.ctx, name));
  }

  async listServices(): Promise<ServiceRecord[]> {
    const services = await this.ctx.store.listServices();
    return Promise.all(services.map((service) => this.withDomains(service)));
  }

  async getService(name: string): Promise<ServiceRecord> {
    return this.withDomains(await this.requireService(name));
  }

  async attachDomain(serviceName: string, raw: AttachInput): Promise<DomainRecord> {
    const input = parse(AttachInput, raw, 'domain');
    const domain = parseDomainName(input.domain);
    const service = await this.requireService(serviceName);
    if (service.status === 'needs_attention') {
      // Nothing attached to it could progress: say why now rather than queue a domain that waits forever.
      throw new EdgeplaneError(
        'conflict',
        `service "${serviceName}" needs attention: ${service.lastError?.detail ?? 'it could not be provisioned'}; fix that, then run \`edgeplane services create ${serviceName}\` again before attaching domains`,
      );
    }
    const elsewhere = await this.ctx.store.findDomain(domain);
    if (elsewhere && elsewhere.service !== serviceName && elsewhere.state !== 'cancelled') {
      throw new EdgeplaneError('conflict', `${domain} is already attached to service "${elsewhere.service}" (state ${elsewhere.state}); remove it there first`);
    }
    if (input.role === 'main') await this.refuseSecondMain(serviceName, domain);
    await this.refuseOverCapacity(service, domain, input.role);
    const existing = await this.ctx.store.getDomain(serviceName, domain);
    if (!existing) {
      const record = newDomainRecord({ service: serviceName, domain, role: input.role, move: input.move ?? false, nowMs: this.ctx.clock.now() });
      await this.ctx.store.saveDomain(record);
      return record;
    }
    if (existing.state !== 'cancelled' && existing.state !== 'needs_attention') {
      if (existing.role !== input.role) {
        const verb = existing.state === 'cached' ? 'is attached' : 'is already being attached';
        throw new EdgeplaneError(
          'conflict',
          `${domain} ${verb} as the ${existing.role} domain (state ${existing.state}); to change its role, run \`edgeplane domains cancel ${domain} --service ${serviceName}\` first, then attach it again`,
        );
      }
      return existing;
    }
    return this.update(serviceName, domain, (record, nowMs) => reattached(record, { role: input.role, move: input.move ?? false, nowMs }));
  }

  async listDomains(service: string, raw: DomainPageRequest = {}): Promise<DomainPage> {
    const page = parse(DomainPageRequest, raw, 'page');
    const key = { service, limit: page.limit, after: page.after === undefined ? undefined : cursorName(page.after) };
    // The revision before the rows: a write in between then only makes the stored page unused.
    const revision = await this.ctx.store.domainRevision(service);
    if (revision === null) throw noService(service);
    return this.domainPages.get(key, revision) ?? this.domainPages.put(key, revision, await this.ctx.store.listDomainPage(service, key));
  }

  countDomainsByState(): Promise<Partial<Record<DomainState, number>>> {
    return this.ctx.store.countDomainsByState();
  }

  async getDomain(service: string, domain: string): Promise<DomainRecord> {
    const record = await this.ctx.store.getDomain(service, lookupName(domain));
    if (!record) throw new EdgeplaneError('not_found', `no domain ${domain} on service "${service}"`);
    return record;
  }

  async retryDomain(service: string, domain: string): Promise<DomainRecord> {
    return this.update(service, domain, (record, nowMs) => {
      if (record.state === 'cancelled') throw new EdgeplaneError('conflict', `${domain} was removed; attach it again instead`);
      if (record.state === 'cached') return record;
      // "Retry now" restarts the backoff: fast probes again; the Stale clock (waitingSince) keeps running.
      const backoffSince = record.waitingSince ? iso(nowMs) : null;
      const next =
        record.state === 'needs_attention'
          ? moveTo(record, 'queued', 'retry_requested', 'Retry requested by the operator', nowMs)
          : note(record, 'retry_requested', 'Retry requested by the operator: next attempt now', nowMs);
      return { ...next, nextAttemptAt: iso(nowMs), backoffSince };
    });
  }

  async removeDomain(service: string, domain: string): Promise<DomainRecord> {
    const stored = await this.requireService(service);
    return withServiceLease(this.ctx, service, async () => {
      const record = await this.getDomain(service, domain);
      if (record.state === 'cancelled') return record;
      const next = await detachDomain(this.ctx, record, (await this.ctx.store.getService(service)) ?? stored);
      await this.ctx.store.saveDomain(next);
      return next;
    });
  }

  async setCaching(service: string, domain: string, enabled: boolean): Promise<DomainRecord> {
    const stored = await this.requireService(service);
    return this.update(service, domain, async (record, nowMs) => {
      if (record.state === 'cancelled') throw new EdgeplaneError('conflict', `${domain} was removed; attach it again first`);
      if (!stored.configStoreId) throw new EdgeplaneError('conflict', `service "${service}" has no config store yet: create the service first`);
      await this.ctx.gateway.putConfigItem(stored.configStoreId, cachingKey(record.domain), enabled ? 'on' : 'off');
      const value = enabled ? 'on' : 'off';
      const next = note(record, 'caching_override', `Operator set caching:${record.domain}=${value}`, nowMs);
      const withCached = withCondition(
        next,
        'Cached',
        enabled ? 'True' : 'False',
        'OperatorOverride',
        `caching:${record.domain}=${value} set by the operator`,
        nowMs,
      );
      return { ...withCached, caching: enabled, cachingOverride: enabled };
    });
  }

  async purge(service: string, raw: PurgeInput): Promise<{ purged: string; fastlyIds: string[] }> {
    const input = parse(PurgeInput, raw, 'purge');
    const stored = await this.requireService(service);
    const serviceId = stored.fastlyServiceId;
    if (!serviceId) throw new EdgeplaneError('conflict', `service "${service}" is not on Fastly yet: create it first`);
    const { gateway } = this.ctx;
    if ('all' in input) return { purged: 'all', fastlyIds: [await gateway.purgeAll(serviceId)] };
    if ('url' in input) {
      const hosts = (await this.ctx.store.listDomainStates(service)).filter((domain) => domain.state !== 'cancelled').map((domain) => domain.domain);
      const target = purgeTarget(input.url, hosts);
      if (!target.ok) throw new EdgeplaneError('invalid_input', `cannot purge ${input.url}: ${target.reason}`);
      // What Fastly was asked to purge, as sent: the caller sees the URL Fastly acted on.
      return { purged: `url ${target.cachedUrl}`, fastlyIds: [await gateway.purgeUrl(`https://${target.cachedUrl}`)] };
    }
    const keys = 'key' in input ? [input.key] : input.keys;
    return { purged: `keys ${keys.join(', ')}`, fastlyIds: await gateway.purgeKeys(serviceId, keys) };
  }

  /** A service has one main host: another attach as `main` is a conflict that says what to do instead. */
  private async refuseSecondMain(serviceName: string, domain: string): Promise<void> {
    const current = (await this.ctx.store.listDomainStates(serviceName)).find(
      (other) => other.role === 'main' && other.domain !== domain && other.state !== 'cancelled',
    );
    if (!current) return;
    const others = DOMAIN_ROLES.filter((role) => role !== 'main').join(', ');
    throw new EdgeplaneError(
      'conflict',
      `service "${serviceName}" already has the main host ${current.domain} (${current.state}); attach ${domain} with another role (${others}: `
        + `alias is served like the main host, redirect answers 301 to it), or cancel ${current.domain} first`,
    );
  }

  /** A host the edge config could not hold is refused now, not after its certificate was issued. */
  private async refuseOverCapacity(service: StoredService, domain: string, role: DomainRole): Promise<void> {
    // Every host not cancelled may go live; the canonical host is one of them, so it adds nothing.
    const hosts: SiteConfig['hosts'] = { [domain]: { role } };
    for (const other of await this.ctx.store.listDomainStates(service.name)) {
      if (other.state !== 'cancelled') hosts[other.domain] ??= { role: other.role };
    }
    siteConfigValue(service.name, siteConfigOf(service, { hosts, canonicalHost: null }));
  }

  private async requireService(name: string): Promise<StoredService> {
    const service = await this.ctx.store.getService(name);
    if (!service) throw noService(name);
    return service;
  }

  private async withDomains(service: StoredService): Promise<ServiceRecord> {
    return { ...service, domains: await this.ctx.store.listDomainStates(service.name) };
  }

  /** Read-modify-write of one record under its service's lease. */
  private update(
    service: string,
    domain: string,
    change: (record: DomainRecord, nowMs: number) => DomainRecord | Promise<DomainRecord>,
  ): Promise<DomainRecord> {
    return withServiceLease(this.ctx, service, async () => {
      const record = await this.getDomain(service, domain);
      const next = await change(record, this.ctx.clock.now());
      if (next !== record) await this.ctx.store.saveDomain(next);
      return next;
    });
  }
}
