import type { ControlPlane } from '../src/control-plane';
import { EdgeplaneError } from '../src/errors';
import {
  type AttachInput,
  type DomainPage,
  DomainPageRequest,
  DomainRecord,
  type DomainState,
  type PurgeInput,
  ServiceInput,
  ServiceRecord,
} from '../src/model';

// An in-memory ControlPlane for the API route tests: it keeps records the way the contract
// describes (services by name, domains start queued) so the routes can be exercised without
// Fastly. The lifecycle's own behaviour is tested with the real control plane elsewhere.

export class InMemoryControlPlane implements ControlPlane {
  readonly services = new Map<string, ServiceRecord>();
  readonly domains = new Map<string, DomainRecord>();
  readonly purges: { service: string; input: PurgeInput }[] = [];
  private failure: Error | null = null;

  /** The next call throws this (as the lifecycle would when Fastly fails, or a bug would). */
  failNext(error: Error): void {
    this.failure = error;
  }

  private check(): void {
    const failure = this.failure;
    this.failure = null;
    if (failure) throw failure;
  }

  private now(): string {
    return new Date().toISOString();
  }

  async createService(input: ServiceInput): Promise<ServiceRecord> {
    this.check();
    const parsed = ServiceInput.parse(input);
    const existing = this.services.get(parsed.name);
    if (existing) return existing;
    const record = ServiceRecord.parse({
      name: parsed.name,
      fastlyServiceId: `svc-${parsed.name}`,
      activeVersion: 1,
      configStoreId: 'store-1',
      configStoreName: parsed.configStoreName ?? 'edgeplane',
      origins: parsed.origins,
      status: 'ready',
      lastError: null,
      packagePath: null,
      domains: [],
      createdAt: this.now(),
      updatedAt: this.now(),
    });
    this.services.set(record.name, record);
    return record;
  }

  async listServices(): Promise<ServiceRecord[]> {
    this.check();
    return [...this.services.values()].map((service) => this.withDomains(service));
  }

  async getService(name: string): Promise<ServiceRecord> {
    this.check();
    const service = this.services.get(name);
    if (!service) throw new EdgeplaneError('not_found', `no service named "${name}"`);
    return this.withDomains(service);
  }

  private withDomains(service: ServiceRecord): ServiceRecord {
    const domains = [...this.domains.values()].filter((record) => record.service === service.name).map(({ domain, role, state }) => ({ domain, role, state }));
    return { ...service, domains };
  }

  async attachDomain(service: string, input: AttachInput): Promise<DomainRecord> {
    await this.getService(service);
    const key = `${service}/${input.domain}`;
    const existing = this.domains.get(key);
    if (existing) return existing;
    const now = this.now();
    const record = DomainRecord.parse({
      service,
      domain: input.domain,
      role: input.role,
      state: 'queued',
      attempts: 0,
      lastAttemptAt: null,
      nextAttemptAt: now,
      lastError: null,
      conditions: [],
      history: [{ at: now, from: null, to: 'queued', event: 'attach_requested', message: 'accepted' }],
      activeVersion: null,
      tls: null,
      caching: false,
      cachingOverride: null,
      move: input.move ?? false,
      waitingSince: null,
      backoffSince: null,
      createdAt: now,
      updatedAt: now,
    });
    this.domains.set(key, record);
    return record;
  }

  async listDomains(service: string, raw: DomainPageRequest = {}): Promise<DomainPage> {
    const { limit, after } = DomainPageRequest.parse(raw);
    await this.getService(service);
    const following = [...this.domains.values()]
      .filter((record) => record.service === service && (after === undefined || record.domain > after))
      .sort((a, b) => (a.domain < b.domain ? -1 : 1));
    const items = following.slice(0, limit).map(({ history: _history, ...summary }) => summary);
    return { items, next: following.length > limit ? items.at(-1)!.domain : null };
  }

  async countDomainsByState(): Promise<Partial<Record<DomainState, number>>> {
    this.check();
    const counts: Partial<Record<DomainState, number>> = {};
    for (const record of this.domains.values()) counts[record.state] = (counts[record.state] ?? 0) + 1;
    return counts;
  }

  async getDomain(service: string, domain: string): Promise<DomainRecord> {
    await this.getService(service);
    const record = this.domains.get(`${service}/${domain}`);
    if (!record) throw new EdgeplaneError('not_found', `no domain "${domain}" on service "${service}"`);
    return record;
  }

  private update(record: DomainRecord, change: Partial<DomainRecord>): DomainRecord {
    const updated = { ...record, ...change, updatedAt: this.now() };
    this.domains.set(`${record.service}/${record.domain}`, updated);
    return updated;
  }

  async retryDomain(service: string, domain: string): Promise<DomainRecord> {
    const record = await this.getDomain(service, domain);
    return this.update(record, { nextAttemptAt: this.now() });
  }

  async removeDomain(service: string, domain: string): Promise<DomainRecord> {
    const record = await this.getDomain(service, domain);
    return this.update(record, { state: 'cancelled', nextAttemptAt: null });
  }

  async setCaching(service: string, domain: string, enabled: boolean): Promise<DomainRecord> {
    const record = await this.getDomain(service, domain);
    return this.update(record, { caching: enabled, cachingOverride: enabled });
  }

  async purge(service: string, input: PurgeInput): Promise<{ purged: string; fastlyIds: string[] }> {
    await this.getService(service);
    this.purges.push({ service, input });
    const purged = 'all' in input ? 'all' : 'key' in input ? `key ${input.key}` : 'keys' in input ? `keys ${input.keys.join(',')}` : `url ${input.url}`;
    return { purged, fastlyIds: ['purge-1'] };
  }
}
