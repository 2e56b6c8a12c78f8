import { z } from 'zod';
import { EdgeplaneError, ErrorCode } from '../src/errors';
import { MigrationPlan } from '../src/migrate/model';
import type { MigrationRequest } from '../src/migrate/planner';
import { MigrationRun, MigrationRunList } from '../src/migrate/run-model';
import {
  type AttachInput,
  DOMAIN_PAGE_MAX_LIMIT,
  DomainPage,
  type DomainPageRequest,
  DomainRecord,
  type DomainSummary,
  type PurgeInput,
  type ServiceInput,
  ServiceRecord,
} from '../src/model';
import { type ChannelInput, ChannelView, TestResult } from '../src/notify/model';
import { CliExit, ExitCode } from './exit-codes';

// The CLI's HTTP client of the control-plane API. Every answer is parsed with the contract's zod
// schemas; problem+json answers become EdgeplaneError with the API's code and detail.

const ProblemBody = z.object({ status: z.number(), detail: z.string(), code: ErrorCode });
const PurgeResult = z.object({ purged: z.string(), fastlyIds: z.array(z.string()) });

const DEFAULT_API_URL = 'http://127.0.0.1:8440';

const ClientEnv = z.object({
  EDGEPLANE_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url({ protocol: /^https?$/ }).default(DEFAULT_API_URL)),
  EDGEPLANE_API_TOKEN: z.string().trim().min(1),
});

export interface ClientSettings {
  url: string;
  token: string;
}

/** EDGEPLANE_URL (default http://127.0.0.1:8440) and the first of EDGEPLANE_API_TOKEN. */
function clientSettings(env: Record<string, string | undefined>): ClientSettings {
  const parsed = ClientEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path[0] === 'EDGEPLANE_API_TOKEN'
        ? "EDGEPLANE_API_TOKEN: is required (the control plane's bearer token; `npm start` prints it)"
        : `${String(issue.path[0])}: ${issue.message} (got "${env.EDGEPLANE_URL}")`,
    );
    throw new CliExit(ExitCode.usage, problems.join('\n'));
  }
  return { url: parsed.data.EDGEPLANE_URL.replace(/\/+$/, ''), token: parsed.data.EDGEPLANE_API_TOKEN.split(',')[0]!.trim() };
}

/** The API client configured from EDGEPLANE_URL and EDGEPLANE_API_TOKEN. */
export function apiClient(): ApiClient {
  return new ApiClient(clientSettings(process.env));
}

/** Tagged answers kept for revalidation (the domain pages a poller reads over and over). */
const TAGGED_CAPACITY = 64;

export class ApiClient {
  /** GET answers that came with an ETag, by path: asked again with If-None-Match, a 304 reuses them. */
  private readonly tagged = new Map<string, { etag: string; value: unknown }>();

  constructor(private readonly settings: ClientSettings) {}

  private async call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const known = method === 'GET' ? this.tagged.get(path) : undefined;
    let response: Response;
    try {
      response = await fetch(`${this.settings.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.settings.token}`,
          accept: 'application/json, application/problem+json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(known ? { 'if-none-match': known.etag } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new CliExit(
        ExitCode.unreachable,
        `cannot reach the control plane at ${this.settings.url} (${reason}); is \`edgeplane serve\` running and EDGEPLANE_URL right?`,
      );
    }
    if (response.status === 304 && known) return known.value as T;
    const text = await response.text();
    // Something else listening at EDGEPLANE_URL answers without our JSON or problem details.
    const notEdgeplane = () =>
      new CliExit(
        ExitCode.unreachable,
        `${this.settings.url} is not an edgeplane control plane API (it answered ${method} ${path} with ${response.status} ${response.headers.get('content-type') ?? 'and no content type'}); check EDGEPLANE_URL`,
      );
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw notEdgeplane();
    }
    if (!response.ok) {
      const problem = ProblemBody.safeParse(json);
      if (problem.success) throw new EdgeplaneError(problem.data.code, problem.data.detail, { status: problem.data.status });
      throw notEdgeplane();
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new EdgeplaneError('internal', `unexpected answer from the control plane to ${method} ${path}: ${parsed.error.issues[0]?.message}`);
    }
    const etag = response.headers.get('etag');
    if (method === 'GET' && etag !== null) this.keepTagged(path, etag, parsed.data);
    return parsed.data;
  }

  private keepTagged(path: string, etag: string, value: unknown): void {
    this.tagged.delete(path);
    this.tagged.set(path, { etag, value });
    if (this.tagged.size > TAGGED_CAPACITY) this.tagged.delete(this.tagged.keys().next().value!);
  }

  private static segment(value: string): string {
    return encodeURIComponent(value);
  }

  createService(input: ServiceInput) {
    return this.call('POST', '/v1/services', ServiceRecord, input);
  }
  async listServices() {
    return (await this.call('GET', '/v1/services', z.object({ services: z.array(ServiceRecord) }))).services;
  }
  getService(name: string) {
    return this.call('GET', `/v1/services/${ApiClient.segment(name)}`, ServiceRecord);
  }
  attachDomain(service: string, input: AttachInput) {
    return this.call('POST', `/v1/services/${ApiClient.segment(service)}/domains`, DomainRecord, input);
  }
  /** One page of the service's domains, without history. */
  listDomainPage(service: string, page: DomainPageRequest = {}) {
    const query = new URLSearchParams();
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    if (page.after !== undefined) query.set('after', page.after);
    const search = query.size > 0 ? `?${query}` : '';
    return this.call('GET', `/v1/services/${ApiClient.segment(service)}/domains${search}`, DomainPage);
  }
  /** The service's domains by name, following the pages: all of them, or the first `limit`. */
  async listDomains(service: string, { limit = Number.POSITIVE_INFINITY, pageSize = DOMAIN_PAGE_MAX_LIMIT } = {}): Promise<DomainSummary[]> {
    const domains: DomainSummary[] = [];
    let after: string | undefined;
    while (domains.length < limit) {
      const page = await this.listDomainPage(service, { limit: Math.min(limit - domains.length, pageSize), ...(after === undefined ? {} : { after }) });
      domains.push(...page.items);
      if (page.next === null) break;
      after = page.next;
    }
    return domains;
  }
  private domainPath(service: string, domain: string) {
    return `/v1/services/${ApiClient.segment(service)}/domains/${ApiClient.segment(domain)}`;
  }
  getDomain(service: string, domain: string) {
    return this.call('GET', this.domainPath(service, domain), DomainRecord);
  }
  retryDomain(service: string, domain: string) {
    return this.call('POST', `${this.domainPath(service, domain)}/retry`, DomainRecord);
  }
  removeDomain(service: string, domain: string) {
    return this.call('DELETE', this.domainPath(service, domain), DomainRecord);
  }
  setCaching(service: string, domain: string, enabled: boolean) {
    return this.call('PUT', `${this.domainPath(service, domain)}/caching`, DomainRecord, { enabled });
  }
  /** The plan of a move from another Fastly account; reads that account only, writes nothing. */
  planMigration(service: string, input: Omit<MigrationRequest, 'dryRun'>) {
    return this.call('POST', `/v1/services/${ApiClient.segment(service)}/migrations`, MigrationPlan, { ...input, dryRun: true });
  }
  purge(service: string, input: PurgeInput) {
    return this.call('POST', `/v1/services/${ApiClient.segment(service)}/purge`, PurgeResult, input);
  }
  private migrationsPath(service: string) {
    return `/v1/services/${ApiClient.segment(service)}/migrations`;
  }
  /** Starts a migration run from the old account (its token is sent once, never shown again). */
  startMigration(service: string, input: Omit<MigrationRequest, 'dryRun'>) {
    return this.call('POST', this.migrationsPath(service), MigrationRun, input);
  }
  async listMigrations(service: string) {
    return (await this.call('GET', this.migrationsPath(service), MigrationRunList)).migrations;
  }
  getMigration(service: string, id: string) {
    return this.call('GET', `${this.migrationsPath(service)}/${ApiClient.segment(id)}`, MigrationRun);
  }
  cancelMigration(service: string, id: string) {
    return this.call('POST', `${this.migrationsPath(service)}/${ApiClient.segment(id)}/cancel`, MigrationRun);
  }
  retryMigration(service: string, id: string) {
    return this.call('POST', `${this.migrationsPath(service)}/${ApiClient.segment(id)}/retry`, MigrationRun);
  }
  private notificationsPath(service: string) {
    return `/v1/services/${ApiClient.segment(service)}/notifications`;
  }
  addNotification(service: string, input: ChannelInput) {
    return this.call('POST', this.notificationsPath(service), ChannelView, input);
  }
  async listNotifications(service: string) {
    return (await this.call('GET', this.notificationsPath(service), z.object({ channels: z.array(ChannelView) }))).channels;
  }
  async removeNotification(service: string, id: string) {
    await this.call('DELETE', `${this.notificationsPath(service)}/${ApiClient.segment(id)}`, z.undefined());
  }
  testNotification(service: string, id: string) {
    return this.call('POST', `${this.notificationsPath(service)}/${ApiClient.segment(id)}/test`, TestResult);
  }
}
