import * as Fastly from 'fastly';
import { z } from 'zod';
import { EdgeplaneError, isEdgeplaneError, orNull } from '../errors';
import { createFastlyApiClient, FASTLY_API_URL } from './api-client';
import { createCaller, type RawAnswer } from './call';
import { parseBodyText } from './failure';
import type {
  BackendSpec,
  FastlyBackend,
  FastlyGateway,
  FastlyGatewayOptions,
  FastlyPackage,
  FastlyService,
  FastlyVersion,
  ManagedDomain,
  RateLimitState,
  TlsSubscription,
} from './gateway';
import { readRateLimit, type ResponseHeaders } from './rate-limit';
import {
  BackendAnswer,
  BulkPurgeAnswer,
  ConfigItemAnswer,
  ConfigStoreAnswer,
  CustomerAnswer,
  DomainListAnswer,
  ManagedDomainAnswer,
  ManagedDomainListAnswer,
  PackageAnswer,
  PurgeAnswer,
  ResourceLinkAnswer,
  ServiceAnswer,
  StatusAnswer,
  TlsSubscriptionDocument,
  TlsSubscriptionListDocument,
  ValidationAnswer,
  VersionAnswer,
} from './schemas';
import { tlsSubscriptionView } from './tls-view';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_READ_RETRIES = 2;
const DEFAULT_READ_RETRY_DELAY_MS = 250;
/** Domain Management list page size (Fastly's maximum), and pages read at most: a runaway cursor must not loop forever. */
const MANAGED_DOMAIN_PAGE_SIZE = 100;
const MAX_MANAGED_DOMAIN_PAGES = 50;

/** What a fastly-js `...WithHttpInfo` call resolves to: superagent's response inside. */
interface FastlyJsResult {
  response: { status: number; headers: ResponseHeaders; body: unknown; text?: string };
}

async function fromFastlyJs(pending: Promise<FastlyJsResult>): Promise<RawAnswer> {
  const { response } = await pending;
  const parsedBody = response.body !== null && typeof response.body === 'object' && Object.keys(response.body).length > 0;
  return { status: response.status, headers: response.headers, body: parsedBody ? response.body : parseBodyText(response.text ?? '') };
}

const Anything = z.unknown();

function versionView(answer: z.infer<typeof VersionAnswer>): FastlyVersion {
  return { number: answer.number, active: answer.active, locked: answer.locked, comment: answer.comment ?? '' };
}

function serviceView(answer: z.infer<typeof ServiceAnswer>): FastlyService {
  const versions = answer.versions.map(versionView);
  return { id: answer.id, name: answer.name, type: answer.type, activeVersion: versions.find((version) => version.active)?.number ?? null, versions };
}

function backendView(answer: z.infer<typeof BackendAnswer>): FastlyBackend {
  const optional = <T>(value: T | null | undefined) => value ?? undefined;
  return {
    name: answer.name,
    address: answer.address,
    port: answer.port,
    useSsl: answer.use_ssl,
    overrideHost: optional(answer.override_host),
    sslCertHostname: optional(answer.ssl_cert_hostname),
    sslSniHostname: optional(answer.ssl_sni_hostname),
    connectTimeoutMs: optional(answer.connect_timeout),
    firstByteTimeoutMs: optional(answer.first_byte_timeout),
    betweenBytesTimeoutMs: optional(answer.between_bytes_timeout),
  };
}

function packageView(answer: z.infer<typeof PackageAnswer>): FastlyPackage {
  return { hashsum: answer.metadata?.hashsum ?? null, filesHash: answer.metadata?.files_hash ?? null, size: answer.metadata?.size ?? null };
}

function managedDomainView(answer: z.infer<typeof ManagedDomainAnswer>): ManagedDomain {
  return { id: answer.id, fqdn: answer.fqdn, serviceId: answer.service_id ?? null, activated: answer.activated ?? false, verified: answer.verified ?? false };
}

/**
 * The Fastly gateway over the official `fastly` client, and fetch for Domain Management v1,
 * which fastly-js lacks. Every failure leaves as a classified EdgeplaneError (classify.ts); reads
 * are retried on outages (call.ts), writes never.
 */
export function createFastlyGateway(options: FastlyGatewayOptions): FastlyGateway {
  const baseUrl = (options.baseUrl ?? FASTLY_API_URL).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = createFastlyApiClient(options.token, baseUrl);
  client.timeout = timeoutMs;

  const customers = new Fastly.CustomerApi(client);
  const services = new Fastly.ServiceApi(client);
  const versions = new Fastly.VersionApi(client);
  const domains = new Fastly.DomainApi(client);
  const backends = new Fastly.BackendApi(client);
  const packages = new Fastly.PackageApi(client);
  const configStores = new Fastly.ConfigStoreApi(client);
  const configItems = new Fastly.ConfigStoreItemApi(client);
  const resources = new Fastly.ResourceApi(client);
  const tlsSubscriptions = new Fastly.TlsSubscriptionsApi(client);
  const purges = new Fastly.PurgeApi(client);

  const rateLimit: RateLimitState = { remaining: null, resetAt: null };
  const call = createCaller({
    secrets: [options.token],
    readRetries: options.readRetries ?? DEFAULT_READ_RETRIES,
    readRetryDelayMs: options.readRetryDelayMs ?? DEFAULT_READ_RETRY_DELAY_MS,
    onCall: options.onCall,
    now: () => Date.now(),
    onAnswerHeaders: (headers) => {
      const seen = readRateLimit(headers);
      if (seen.remaining !== null) rateLimit.remaining = seen.remaining;
      if (seen.resetAt !== null) rateLimit.resetAt = seen.resetAt;
    },
  });

  /** Plain HTTP for the endpoints fastly-js has no class for. */
  const fetchJson = (method: string, path: string, body?: unknown) => async (): Promise<RawAnswer> => {
    const response = await fetch(baseUrl + path, {
      method,
      headers: { 'Fastly-Key': options.token, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const headers: ResponseHeaders = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body: parseBodyText(await response.text()) };
  };

  const serviceVersion = (serviceId: string, version: number) => ({ service_id: serviceId, version_id: version });

  const gateway: FastlyGateway = {
    get rateLimit() {
      return { ...rateLimit };
    },

    async createService(name, type = 'wasm') {
      const answer = await call({
        operation: 'createService',
        method: 'POST',
        send: () => fromFastlyJs(services.createServiceWithHttpInfo({ name, type })),
        answer: ServiceAnswer,
      });
      return serviceView(answer);
    },

    async findServiceByName(name) {
      const answer = await orNull(
        call({ operation: 'findServiceByName', method: 'GET', send: () => fromFastlyJs(services.searchServiceWithHttpInfo({ name })), answer: ServiceAnswer }),
      );
      return answer && serviceView(answer);
    },

    async currentCustomer() {
      const answer = await call({
        operation: 'currentCustomer',
        method: 'GET',
        send: () => fromFastlyJs(customers.getLoggedInCustomerWithHttpInfo()),
        answer: CustomerAnswer,
      });
      return { id: answer.id, name: answer.name };
    },

    async getService(serviceId) {
      const answer = await call({
        operation: 'getService',
        method: 'GET',
        send: () => fromFastlyJs(services.getServiceWithHttpInfo({ service_id: serviceId })),
        answer: ServiceAnswer,
      });
      return serviceView(answer);
    },

    async deleteService(serviceId) {
      await call({
        operation: 'deleteService',
        method: 'DELETE',
        send: () => fromFastlyJs(services.deleteServiceWithHttpInfo({ service_id: serviceId })),
        answer: Anything,
      });
    },

    async cloneVersion(serviceId, version) {
      const answer = await call({
        operation: 'cloneVersion',
        method: 'PUT',
        send: () => fromFastlyJs(versions.cloneServiceVersionWithHttpInfo(serviceVersion(serviceId, version))),
        answer: VersionAnswer,
      });
      return versionView(answer);
    },

    async validateVersion(serviceId, version) {
      const answer = await call({
        operation: 'validateVersion',
        method: 'GET',
        send: () => fromFastlyJs(versions.validateServiceVersionWithHttpInfo(serviceVersion(serviceId, version))),
        answer: ValidationAnswer,
      });
      const errors = (answer.errors ?? []).map((error) => (typeof error === 'string' ? error : error.message));
      const messages = errors.length > 0 ? errors : answer.msg ? [answer.msg] : [];
      return { valid: answer.status === 'ok', messages };
    },

    async activateVersion(serviceId, version) {
      const answer = await call({
        operation: 'activateVersion',
        method: 'PUT',
        send: () => fromFastlyJs(versions.activateServiceVersionWithHttpInfo(serviceVersion(serviceId, version))),
        answer: VersionAnswer,
      });
      return versionView(answer);
    },

    async deactivateVersion(serviceId, version) {
      const answer = await call({
        operation: 'deactivateVersion',
        method: 'PUT',
        send: () => fromFastlyJs(versions.deactivateServiceVersionWithHttpInfo(serviceVersion(serviceId, version))),
        answer: VersionAnswer,
      });
      return versionView(answer);
    },

    async listDomains(serviceId, version) {
      const answer = await call({
        operation: 'listDomains',
        method: 'GET',
        send: () => fromFastlyJs(domains.listDomainsWithHttpInfo(serviceVersion(serviceId, version))),
        answer: DomainListAnswer,
      });
      return answer.map((domain) => domain.name);
    },

    async addDomain(serviceId, version, domain, comment) {
      await call({
        operation: 'addDomain',
        method: 'POST',
        send: () => fromFastlyJs(domains.createDomainWithHttpInfo({ ...serviceVersion(serviceId, version), name: domain, comment })),
        answer: Anything,
      });
    },

    async deleteDomain(serviceId, version, domain) {
      await call({
        operation: 'deleteDomain',
        method: 'DELETE',
        send: () => fromFastlyJs(domains.deleteDomainWithHttpInfo({ ...serviceVersion(serviceId, version), domain_name: domain })),
        answer: Anything,
      });
    },

    async createManagedDomain(fqdn, serviceId) {
      const body = serviceId === undefined ? { fqdn } : { fqdn, service_id: serviceId };
      const answer = await call({
        operation: 'createManagedDomain',
        method: 'POST',
        send: fetchJson('POST', '/domain-management/v1/domains', body),
        answer: ManagedDomainAnswer,
      });
      return managedDomainView(answer);
    },

    async listManagedDomains(fqdn) {
      const found: ManagedDomain[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_MANAGED_DOMAIN_PAGES; page++) {
        const query = new URLSearchParams({ limit: String(MANAGED_DOMAIN_PAGE_SIZE) });
        if (fqdn !== undefined) query.set('fqdn', fqdn);
        if (cursor) query.set('cursor', cursor);
        const answer = await call({
          operation: 'listManagedDomains',
          method: 'GET',
          send: fetchJson('GET', `/domain-management/v1/domains?${query}`),
          answer: ManagedDomainListAnswer,
        });
        found.push(...answer.data.map(managedDomainView));
        cursor = answer.meta?.next_cursor || null;
        if (!cursor) break;
      }
      // The fqdn filter is applied here too, in case Fastly matches it loosely.
      return fqdn === undefined ? found : found.filter((domain) => domain.fqdn === fqdn.toLowerCase());
    },

    async getManagedDomain(id) {
      const answer = await call({
        operation: 'getManagedDomain',
        method: 'GET',
        send: fetchJson('GET', `/domain-management/v1/domains/${encodeURIComponent(id)}`),
        answer: ManagedDomainAnswer,
      });
      return managedDomainView(answer);
    },

    async updateManagedDomain(id, serviceId) {
      const answer = await call({
        operation: 'updateManagedDomain',
        method: 'PATCH',
        send: fetchJson('PATCH', `/domain-management/v1/domains/${encodeURIComponent(id)}`, { service_id: serviceId }),
        answer: ManagedDomainAnswer,
      });
      return managedDomainView(answer);
    },

    async deleteManagedDomain(id) {
      await call({
        operation: 'deleteManagedDomain',
        method: 'DELETE',
        send: fetchJson('DELETE', `/domain-management/v1/domains/${encodeURIComponent(id)}`),
        answer: Anything,
      });
    },

    async listBackends(serviceId, version) {
      const answer = await call({
        operation: 'listBackends',
        method: 'GET',
        send: () => fromFastlyJs(backends.listBackendsWithHttpInfo(serviceVersion(serviceId, version))),
        answer: z.array(BackendAnswer),
      });
      return answer.map(backendView);
    },

    async createBackend(serviceId, version, backend: BackendSpec) {
      const answer = await call({
        operation: 'createBackend',
        method: 'POST',
        send: () =>
          fromFastlyJs(
            backends.createBackendWithHttpInfo({
              ...serviceVersion(serviceId, version),
              name: backend.name,
              address: backend.address,
              port: backend.port,
              use_ssl: backend.useSsl,
              override_host: backend.overrideHost,
              ssl_cert_hostname: backend.sslCertHostname,
              ssl_sni_hostname: backend.sslSniHostname,
              connect_timeout: backend.connectTimeoutMs,
              first_byte_timeout: backend.firstByteTimeoutMs,
              between_bytes_timeout: backend.betweenBytesTimeoutMs,
            }),
          ),
        answer: BackendAnswer,
      });
      return backendView(answer);
    },

    async updateBackend(serviceId, version, backend: BackendSpec) {
      // fastly-js drops undefined fields, so a field to clear is sent empty, which Fastly stores as null.
      const clearable = (value: string | undefined) => value ?? '';
      const answer = await call({
        operation: 'updateBackend',
        method: 'PUT',
        send: () =>
          fromFastlyJs(
            backends.updateBackendWithHttpInfo({
              ...serviceVersion(serviceId, version),
              backend_name: backend.name,
              address: backend.address,
              port: backend.port,
              use_ssl: backend.useSsl,
              override_host: clearable(backend.overrideHost),
              ssl_cert_hostname: clearable(backend.sslCertHostname),
              ssl_sni_hostname: clearable(backend.sslSniHostname),
              connect_timeout: backend.connectTimeoutMs,
              first_byte_timeout: backend.firstByteTimeoutMs,
              between_bytes_timeout: backend.betweenBytesTimeoutMs,
            }),
          ),
        answer: BackendAnswer,
      });
      return backendView(answer);
    },

    async uploadPackage(serviceId, version, tarGz) {
      // superagent names a multipart file after its `path`; without a file name the package
      // would arrive as a plain text field.
      const file = Object.assign(Buffer.from(tarGz), { path: 'package.tar.gz' });
      const answer = await call({
        operation: 'uploadPackage',
        method: 'PUT',
        send: () => fromFastlyJs(packages.putPackageWithHttpInfo({ ...serviceVersion(serviceId, version), _package: file })),
        answer: PackageAnswer,
      });
      return packageView(answer);
    },

    async getPackage(serviceId, version) {
      const answer = await orNull(
        call({
          operation: 'getPackage',
          method: 'GET',
          send: () => fromFastlyJs(packages.getPackageWithHttpInfo(serviceVersion(serviceId, version))),
          answer: PackageAnswer,
        }),
      );
      return answer && packageView(answer);
    },

    async findConfigStore(name) {
      const answer = await call({
        operation: 'findConfigStore',
        method: 'GET',
        send: () => fromFastlyJs(configStores.listConfigStoresWithHttpInfo({ name })),
        answer: z.array(ConfigStoreAnswer),
      });
      const store = answer.find((candidate) => candidate.name === name);
      return store ? { id: store.id, name: store.name } : null;
    },

    async createConfigStore(name) {
      const answer = await call({
        operation: 'createConfigStore',
        method: 'POST',
        send: () => fromFastlyJs(configStores.createConfigStoreWithHttpInfo({ name })),
        answer: ConfigStoreAnswer,
      });
      return { id: answer.id, name: answer.name };
    },

    async getConfigItem(storeId, key) {
      const answer = await orNull(
        call({
          operation: 'getConfigItem',
          method: 'GET',
          send: () => fromFastlyJs(configItems.getConfigStoreItemWithHttpInfo({ config_store_id: storeId, config_store_item_key: key })),
          answer: ConfigItemAnswer,
        }),
      );
      return answer && answer.item_value;
    },

    async putConfigItem(storeId, key, value) {
      await call({
        operation: 'putConfigItem',
        method: 'PUT',
        send: () => fromFastlyJs(configItems.upsertConfigStoreItemWithHttpInfo({ config_store_id: storeId, config_store_item_key: key, item_value: value })),
        answer: Anything,
      });
    },

    async putConfigItems(storeId, items) {
      const upserts = Object.entries(items).map(([item_key, item_value]) => ({ op: 'upsert', item_key, item_value }));
      await call({
        operation: 'putConfigItems',
        method: 'PATCH',
        send: () => fromFastlyJs(configItems.bulkUpdateConfigStoreItemWithHttpInfo({ config_store_id: storeId, bulk_update_config_store_list_request: { items: upserts } })),
        answer: Anything,
      });
    },

    async deleteConfigItem(storeId, key) {
      try {
        await call({
          operation: 'deleteConfigItem',
          method: 'DELETE',
          send: () => fromFastlyJs(configItems.deleteConfigStoreItemWithHttpInfo({ config_store_id: storeId, config_store_item_key: key })),
          answer: Anything,
        });
      } catch (error) {
        if (!isEdgeplaneError(error, 'not_found')) throw error;
      }
    },

    async listResourceLinks(serviceId, version) {
      const answer = await call({
        operation: 'listResourceLinks',
        method: 'GET',
        send: () => fromFastlyJs(resources.listResourcesWithHttpInfo(serviceVersion(serviceId, version))),
        answer: z.array(ResourceLinkAnswer),
      });
      return answer.map((link) => ({ id: link.id, name: link.name, resourceId: link.resource_id }));
    },

    async linkResource(serviceId, version, resourceId, name) {
      const answer = await call({
        operation: 'linkResource',
        method: 'POST',
        send: () => fromFastlyJs(resources.createResourceWithHttpInfo({ ...serviceVersion(serviceId, version), resource_id: resourceId, name })),
        answer: ResourceLinkAnswer,
      });
      return { id: answer.id, name: answer.name, resourceId: answer.resource_id };
    },

    async createTlsSubscription(domain) {
      const body = {
        data: {
          type: 'tls_subscription',
          attributes: { certificate_authority: 'certainly' },
          relationships: { tls_domains: { data: [{ type: 'tls_domain', id: domain }] } },
        },
      };
      const answer = await call({
        operation: 'createTlsSubscription',
        method: 'POST',
        send: () => fromFastlyJs(tlsSubscriptions.createTlsSubWithHttpInfo({ tls_subscription: body })),
        answer: TlsSubscriptionDocument,
      });
      return tlsSubscriptionView(answer.data, answer.included);
    },

    async findTlsSubscription(domain) {
      const answer = await call({
        operation: 'findTlsSubscription',
        method: 'GET',
        send: () => fromFastlyJs(tlsSubscriptions.listTlsSubsWithHttpInfo({ filter_tls_domains_id: domain, include: 'tls_authorizations' })),
        answer: TlsSubscriptionListDocument,
      });
      const matching: TlsSubscription[] = answer.data
        .map((data) => tlsSubscriptionView(data, answer.included))
        .filter((subscription) => subscription.domains.includes(domain));
      return matching.find((subscription) => subscription.state !== 'failed') ?? matching[0] ?? null;
    },

    async getTlsSubscription(id) {
      const answer = await call({
        operation: 'getTlsSubscription',
        method: 'GET',
        send: () => fromFastlyJs(tlsSubscriptions.getTlsSubWithHttpInfo({ tls_subscription_id: id, include: 'tls_authorizations' })),
        answer: TlsSubscriptionDocument,
      });
      return tlsSubscriptionView(answer.data, answer.included);
    },

    async retryTlsSubscription(id) {
      const body = { data: { type: 'tls_subscription', id, attributes: { state: 'retry' } } };
      const answer = await call({
        operation: 'retryTlsSubscription',
        method: 'PATCH',
        send: () => fromFastlyJs(tlsSubscriptions.patchTlsSubWithHttpInfo({ tls_subscription_id: id, tls_subscription: body })),
        answer: TlsSubscriptionDocument,
      });
      return tlsSubscriptionView(answer.data, answer.included);
    },

    async deleteTlsSubscription(id, { force = false } = {}) {
      const path = `/tls/subscriptions/${encodeURIComponent(id)}`;
      await call({
        operation: 'deleteTlsSubscription',
        method: 'DELETE',
        // fastly-js 13's deleteTlsSub cannot send `force`: plain HTTP then.
        send: force ? fetchJson('DELETE', `${path}?force=true`) : () => fromFastlyJs(tlsSubscriptions.deleteTlsSubWithHttpInfo({ tls_subscription_id: id })),
        answer: Anything,
      });
    },

    async purgeAll(serviceId) {
      const answer = await call({
        operation: 'purgeAll',
        method: 'POST',
        send: () => fromFastlyJs(purges.purgeAllWithHttpInfo({ service_id: serviceId })),
        answer: StatusAnswer,
      });
      return answer.status;
    },

    async purgeKeys(serviceId, keys) {
      if (keys.length === 0) throw new EdgeplaneError('invalid_input', 'purgeKeys needs at least one surrogate key');
      const answer = await call({
        operation: 'purgeKeys',
        method: 'POST',
        send: () => fromFastlyJs(purges.bulkPurgeTagWithHttpInfo({ service_id: serviceId, purge_response: { surrogate_keys: keys } })),
        answer: BulkPurgeAnswer,
      });
      return keys.map((key) => answer[key]).filter((id): id is string => id !== undefined);
    },

    async purgeUrl(url) {
      // Fastly takes the cached URL without its scheme: POST /purge/www.example.org/path.
      const cachedUrl = url.replace(/^https?:\/\//i, '');
      const answer = await call({
        operation: 'purgeUrl',
        method: 'POST',
        send: () => fromFastlyJs(purges.purgeSingleUrlWithHttpInfo({ cached_url: cachedUrl })),
        answer: PurgeAnswer,
      });
      return answer.id;
    },
  };
  return gateway;
}
