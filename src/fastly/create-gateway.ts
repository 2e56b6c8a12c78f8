import { z } from 'zod';
import { systemClock } from '../clock';
import { EdgeplaneError, isEdgeplaneError, orNull } from '../errors';
import { createFastlyApiClient, FASTLY_API_URL } from './api-client';
import { createCaller, type RawAnswer } from './call';
import { parseBodyText } from './failure';
import * as Fastly from './fastly-classes';
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
  ResourceLink,
  TlsActivation,
  TlsCertificate,
  TlsSubscription,
} from './gateway';
import { type ResponseHeaders, readRateLimit } from './rate-limit';
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
  ServiceListAnswer,
  StatusAnswer,
  TlsActivationPageDocument,
  TlsCertificatePageDocument,
  TlsSubscriptionDocument,
  TlsSubscriptionListDocument,
  TlsSubscriptionPageDocument,
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
/** Page size and most pages read of the other lists (services, TLS subscriptions, certificates and activations). */
const LIST_PAGE_SIZE = 100;
const MAX_LIST_PAGES = 50;

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

/** Only GET is retried (call.ts), so the method each call declares matters. */
type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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

/** fastly-js's fields of a backend but its name; `absent` says what an unset optional string is sent as. */
function backendFields(backend: BackendSpec, absent: (value: string | undefined) => string | undefined) {
  return {
    address: backend.address,
    port: backend.port,
    use_ssl: backend.useSsl,
    override_host: absent(backend.overrideHost),
    ssl_cert_hostname: absent(backend.sslCertHostname),
    ssl_sni_hostname: absent(backend.sslSniHostname),
    connect_timeout: backend.connectTimeoutMs,
    first_byte_timeout: backend.firstByteTimeoutMs,
    between_bytes_timeout: backend.betweenBytesTimeoutMs,
  };
}

function packageView(answer: z.infer<typeof PackageAnswer>): FastlyPackage {
  return { hashsum: answer.metadata?.hashsum ?? null, filesHash: answer.metadata?.files_hash ?? null, size: answer.metadata?.size ?? null };
}

function managedDomainView(answer: z.infer<typeof ManagedDomainAnswer>): ManagedDomain {
  return { id: answer.id, fqdn: answer.fqdn, serviceId: answer.service_id ?? null, activated: answer.activated ?? false, verified: answer.verified ?? false };
}

const timerWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  const tlsCertificates = new Fastly.TlsCertificatesApi(client);
  const tlsActivations = new Fastly.TlsActivationsApi(client);
  const purges = new Fastly.PurgeApi(client);
  // Each fastly-js API class, constructed, authenticates the shared client with FASTLY_API_TOKEN when
  // that is set: a gateway for another token (a migration's old account) must have its own back.
  client.authenticate(options.token);

  const clock = options.clock ?? systemClock;
  const rateLimit: RateLimitState = { remaining: null, resetAt: null };
  const call = createCaller({
    secrets: [options.token],
    readRetries: options.readRetries ?? DEFAULT_READ_RETRIES,
    readRetryDelayMs: options.readRetryDelayMs ?? DEFAULT_READ_RETRY_DELAY_MS,
    onCall: options.onCall,
    now: () => clock.now(),
    wait: options.wait ?? timerWait,
    onAnswerHeaders: (headers) => {
      const seen = readRateLimit(headers);
      if (seen.remaining !== null) rateLimit.remaining = seen.remaining;
      if (seen.resetAt !== null) rateLimit.resetAt = seen.resetAt;
    },
  });

  /** Plain HTTP for the endpoints fastly-js has no class for. */
  const fetchJson = (method: HttpMethod, path: string, body?: unknown) => async (): Promise<RawAnswer> => {
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

  /** A call through fastly-js: `request` starts its `...WithHttpInfo` method. */
  const sdk = <T>(operation: string, method: HttpMethod, answer: z.ZodType<T>, request: () => Promise<FastlyJsResult>) =>
    call({ operation, method, answer, send: () => fromFastlyJs(request()) });
  /** A call over plain HTTP (`fetchJson`), for what fastly-js cannot do. */
  const http = <T>(operation: string, method: HttpMethod, path: string, answer: z.ZodType<T>, body?: unknown) =>
    call({ operation, method, answer, send: fetchJson(method, path, body) });

  const serviceVersion = (serviceId: string, version: number) => ({ service_id: serviceId, version_id: version });
  const managedDomainPath = (id: string) => `/domain-management/v1/domains/${encodeURIComponent(id)}`;
  const resourceLinkView = (link: z.infer<typeof ResourceLinkAnswer>): ResourceLink => ({ id: link.id, name: link.name, resourceId: link.resource_id });

  const gateway: FastlyGateway = {
    get rateLimit() {
      return { ...rateLimit };
    },

    async currentCustomer() {
      const answer = await sdk('currentCustomer', 'GET', CustomerAnswer, () => customers.getLoggedInCustomerWithHttpInfo());
      return { id: answer.id, name: answer.name };
    },

    async createService(name, type = 'wasm') {
      return serviceView(await sdk('createService', 'POST', ServiceAnswer, () => services.createServiceWithHttpInfo({ name, type })));
    },

    async findServiceByName(name) {
      const answer = await orNull(sdk('findServiceByName', 'GET', ServiceAnswer, () => services.searchServiceWithHttpInfo({ name })));
      return answer && serviceView(answer);
    },

    async listServices() {
      const found: FastlyService[] = [];
      for (let page = 1; page <= MAX_LIST_PAGES; page++) {
        const answer = await sdk('listServices', 'GET', ServiceListAnswer, () => services.listServicesWithHttpInfo({ page, per_page: LIST_PAGE_SIZE }));
        found.push(...answer.map(serviceView));
        if (answer.length < LIST_PAGE_SIZE) break;
      }
      return found;
    },

    async getService(serviceId) {
      return serviceView(await sdk('getService', 'GET', ServiceAnswer, () => services.getServiceWithHttpInfo({ service_id: serviceId })));
    },

    async deleteService(serviceId) {
      await sdk('deleteService', 'DELETE', Anything, () => services.deleteServiceWithHttpInfo({ service_id: serviceId }));
    },

    async cloneVersion(serviceId, version) {
      return versionView(await sdk('cloneVersion', 'PUT', VersionAnswer, () => versions.cloneServiceVersionWithHttpInfo(serviceVersion(serviceId, version))));
    },

    async validateVersion(serviceId, version) {
      const answer = await sdk('validateVersion', 'GET', ValidationAnswer, () =>
        versions.validateServiceVersionWithHttpInfo(serviceVersion(serviceId, version)),
      );
      const errors = (answer.errors ?? []).map((error) => (typeof error === 'string' ? error : error.message));
      const messages = errors.length > 0 ? errors : answer.msg ? [answer.msg] : [];
      return { valid: answer.status === 'ok', messages };
    },

    async activateVersion(serviceId, version) {
      return versionView(
        await sdk('activateVersion', 'PUT', VersionAnswer, () => versions.activateServiceVersionWithHttpInfo(serviceVersion(serviceId, version))),
      );
    },

    async deactivateVersion(serviceId, version) {
      return versionView(
        await sdk('deactivateVersion', 'PUT', VersionAnswer, () => versions.deactivateServiceVersionWithHttpInfo(serviceVersion(serviceId, version))),
      );
    },

    async listDomains(serviceId, version) {
      const answer = await sdk('listDomains', 'GET', DomainListAnswer, () => domains.listDomainsWithHttpInfo(serviceVersion(serviceId, version)));
      return answer.map((domain) => domain.name);
    },

    async addDomain(serviceId, version, domain, comment) {
      await sdk('addDomain', 'POST', Anything, () => domains.createDomainWithHttpInfo({ ...serviceVersion(serviceId, version), name: domain, comment }));
    },

    async deleteDomain(serviceId, version, domain) {
      await sdk('deleteDomain', 'DELETE', Anything, () => domains.deleteDomainWithHttpInfo({ ...serviceVersion(serviceId, version), domain_name: domain }));
    },

    async createManagedDomain(fqdn, serviceId) {
      const body = serviceId === undefined ? { fqdn } : { fqdn, service_id: serviceId };
      return managedDomainView(await http('createManagedDomain', 'POST', '/domain-management/v1/domains', ManagedDomainAnswer, body));
    },

    async listManagedDomains(fqdn) {
      const found: ManagedDomain[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_MANAGED_DOMAIN_PAGES; page++) {
        const query = new URLSearchParams({ limit: String(MANAGED_DOMAIN_PAGE_SIZE) });
        if (fqdn !== undefined) query.set('fqdn', fqdn);
        if (cursor) query.set('cursor', cursor);
        const answer = await http('listManagedDomains', 'GET', `/domain-management/v1/domains?${query}`, ManagedDomainListAnswer);
        found.push(...answer.data.map(managedDomainView));
        cursor = answer.meta?.next_cursor || null;
        if (!cursor) break;
      }
      // The fqdn filter is applied here too, in case Fastly matches it loosely.
      return fqdn === undefined ? found : found.filter((domain) => domain.fqdn === fqdn.toLowerCase());
    },

    async getManagedDomain(id) {
      return managedDomainView(await http('getManagedDomain', 'GET', managedDomainPath(id), ManagedDomainAnswer));
    },

    async updateManagedDomain(id, serviceId) {
      return managedDomainView(await http('updateManagedDomain', 'PATCH', managedDomainPath(id), ManagedDomainAnswer, { service_id: serviceId }));
    },

    async deleteManagedDomain(id) {
      await http('deleteManagedDomain', 'DELETE', managedDomainPath(id), Anything);
    },

    async listBackends(serviceId, version) {
      const answer = await sdk('listBackends', 'GET', z.array(BackendAnswer), () => backends.listBackendsWithHttpInfo(serviceVersion(serviceId, version)));
      return answer.map(backendView);
    },

    async createBackend(serviceId, version, backend: BackendSpec) {
      const fields = { ...serviceVersion(serviceId, version), name: backend.name, ...backendFields(backend, (value) => value) };
      return backendView(await sdk('createBackend', 'POST', BackendAnswer, () => backends.createBackendWithHttpInfo(fields)));
    },

    async updateBackend(serviceId, version, backend: BackendSpec) {
      // fastly-js drops undefined fields, so a field to clear is sent empty, which Fastly stores as null.
      const fields = { ...serviceVersion(serviceId, version), backend_name: backend.name, ...backendFields(backend, (value) => value ?? '') };
      return backendView(await sdk('updateBackend', 'PUT', BackendAnswer, () => backends.updateBackendWithHttpInfo(fields)));
    },

    async uploadPackage(serviceId, version, tarGz) {
      // The package goes as a file part named after the file, as Fastly's CLI sends it (go-fastly);
      // superagent names a part after its `path`, and without a name the package is a text field.
      const file = Object.assign(Buffer.from(tarGz), { path: 'package.tar.gz' });
      const answer = await sdk('uploadPackage', 'PUT', PackageAnswer, () =>
        packages.putPackageWithHttpInfo({ ...serviceVersion(serviceId, version), _package: file }),
      );
      return packageView(answer);
    },

    async getPackage(serviceId, version) {
      const answer = await orNull(sdk('getPackage', 'GET', PackageAnswer, () => packages.getPackageWithHttpInfo(serviceVersion(serviceId, version))));
      return answer && packageView(answer);
    },

    async findConfigStore(name) {
      const answer = await sdk('findConfigStore', 'GET', z.array(ConfigStoreAnswer), () => configStores.listConfigStoresWithHttpInfo({ name }));
      const store = answer.find((candidate) => candidate.name === name);
      return store ? { id: store.id, name: store.name } : null;
    },

    async createConfigStore(name) {
      const answer = await sdk('createConfigStore', 'POST', ConfigStoreAnswer, () => configStores.createConfigStoreWithHttpInfo({ name }));
      return { id: answer.id, name: answer.name };
    },

    async getConfigItem(storeId, key) {
      const item = { config_store_id: storeId, config_store_item_key: key };
      const answer = await orNull(sdk('getConfigItem', 'GET', ConfigItemAnswer, () => configItems.getConfigStoreItemWithHttpInfo(item)));
      return answer?.item_value ?? null;
    },

    async putConfigItem(storeId, key, value) {
      const item = { config_store_id: storeId, config_store_item_key: key, item_value: value };
      await sdk('putConfigItem', 'PUT', Anything, () => configItems.upsertConfigStoreItemWithHttpInfo(item));
    },

    async putConfigItems(storeId, items) {
      const upserts = Object.entries(items).map(([item_key, item_value]) => ({ op: 'upsert', item_key, item_value }));
      const request = { config_store_id: storeId, bulk_update_config_store_list_request: { items: upserts } };
      await sdk('putConfigItems', 'PATCH', Anything, () => configItems.bulkUpdateConfigStoreItemWithHttpInfo(request));
    },

    async deleteConfigItem(storeId, key) {
      const item = { config_store_id: storeId, config_store_item_key: key };
      try {
        await sdk('deleteConfigItem', 'DELETE', Anything, () => configItems.deleteConfigStoreItemWithHttpInfo(item));
      } catch (error) {
        if (!isEdgeplaneError(error, 'not_found')) throw error;
      }
    },

    async listResourceLinks(serviceId, version) {
      const answer = await sdk('listResourceLinks', 'GET', z.array(ResourceLinkAnswer), () =>
        resources.listResourcesWithHttpInfo(serviceVersion(serviceId, version)),
      );
      return answer.map(resourceLinkView);
    },

    async linkResource(serviceId, version, resourceId, name) {
      const link = { ...serviceVersion(serviceId, version), resource_id: resourceId, name };
      return resourceLinkView(await sdk('linkResource', 'POST', ResourceLinkAnswer, () => resources.createResourceWithHttpInfo(link)));
    },

    async createTlsSubscription(domain) {
      const body = {
        data: {
          type: 'tls_subscription',
          attributes: { certificate_authority: 'certainly' },
          relationships: { tls_domains: { data: [{ type: 'tls_domain', id: domain }] } },
        },
      };
      const answer = await sdk('createTlsSubscription', 'POST', TlsSubscriptionDocument, () =>
        tlsSubscriptions.createTlsSubWithHttpInfo({ tls_subscription: body }),
      );
      return tlsSubscriptionView(answer.data, answer.included);
    },

    async findTlsSubscription(domain) {
      const query = { filter_tls_domains_id: domain, include: 'tls_authorizations' };
      const answer = await sdk('findTlsSubscription', 'GET', TlsSubscriptionListDocument, () => tlsSubscriptions.listTlsSubsWithHttpInfo(query));
      const matching: TlsSubscription[] = answer.data
        .map((data) => tlsSubscriptionView(data, answer.included))
        .filter((subscription) => subscription.domains.includes(domain));
      return matching.find((subscription) => subscription.state !== 'failed') ?? matching[0] ?? null;
    },

    async getTlsSubscription(id) {
      const query = { tls_subscription_id: id, include: 'tls_authorizations' };
      const answer = await sdk('getTlsSubscription', 'GET', TlsSubscriptionDocument, () => tlsSubscriptions.getTlsSubWithHttpInfo(query));
      return tlsSubscriptionView(answer.data, answer.included);
    },

    async listTlsSubscriptions() {
      const found: TlsSubscription[] = [];
      for (let page = 1; page <= MAX_LIST_PAGES; page++) {
        const query = { include: 'tls_authorizations', page_number: page, page_size: LIST_PAGE_SIZE };
        const answer = await sdk('listTlsSubscriptions', 'GET', TlsSubscriptionPageDocument, () => tlsSubscriptions.listTlsSubsWithHttpInfo(query));
        found.push(...answer.data.map((data) => tlsSubscriptionView(data, answer.included)));
        if (page >= (answer.meta?.total_pages ?? 1)) break;
      }
      return found;
    },

    async listTlsCertificates() {
      const found: TlsCertificate[] = [];
      for (let page = 1; page <= MAX_LIST_PAGES; page++) {
        const query = { page_number: page, page_size: LIST_PAGE_SIZE };
        const answer = await sdk('listTlsCertificates', 'GET', TlsCertificatePageDocument, () => tlsCertificates.listTlsCertsWithHttpInfo(query));
        found.push(
          ...answer.data.map((data) => ({
            id: data.id,
            name: data.attributes.name ?? '',
            domains: data.relationships.tls_domains.data.map((ref) => ref.id.toLowerCase()),
          })),
        );
        if (page >= (answer.meta?.total_pages ?? 1)) break;
      }
      return found;
    },

    async deleteTlsCertificate(id) {
      await sdk('deleteTlsCertificate', 'DELETE', Anything, () => tlsCertificates.deleteTlsCertWithHttpInfo({ tls_certificate_id: id }));
    },

    async listTlsActivations(filter = {}) {
      const found: TlsActivation[] = [];
      for (let page = 1; page <= MAX_LIST_PAGES; page++) {
        const query = { page_number: page, page_size: LIST_PAGE_SIZE, ...(filter.certificateId ? { filter_tls_certificate_id: filter.certificateId } : {}) };
        const answer = await sdk('listTlsActivations', 'GET', TlsActivationPageDocument, () => tlsActivations.listTlsActivationsWithHttpInfo(query));
        found.push(
          ...answer.data.map((data) => ({
            id: data.id,
            certificateId: data.relationships.tls_certificate.data.id,
            domain: data.relationships.tls_domain.data.id.toLowerCase(),
          })),
        );
        if (page >= (answer.meta?.total_pages ?? 1)) break;
      }
      return found;
    },

    async deleteTlsActivation(id) {
      await sdk('deleteTlsActivation', 'DELETE', Anything, () => tlsActivations.deleteTlsActivationWithHttpInfo({ tls_activation_id: id }));
    },

    async retryTlsSubscription(id) {
      const body = { data: { type: 'tls_subscription', id, attributes: { state: 'retry' } } };
      const answer = await sdk('retryTlsSubscription', 'PATCH', TlsSubscriptionDocument, () =>
        tlsSubscriptions.patchTlsSubWithHttpInfo({ tls_subscription_id: id, tls_subscription: body }),
      );
      return tlsSubscriptionView(answer.data, answer.included);
    },

    async deleteTlsSubscription(id, { force = false } = {}) {
      // fastly-js 13's deleteTlsSub cannot send `force`: plain HTTP then.
      if (force) await http('deleteTlsSubscription', 'DELETE', `/tls/subscriptions/${encodeURIComponent(id)}?force=true`, Anything);
      else await sdk('deleteTlsSubscription', 'DELETE', Anything, () => tlsSubscriptions.deleteTlsSubWithHttpInfo({ tls_subscription_id: id }));
    },

    async purgeAll(serviceId) {
      const answer = await sdk('purgeAll', 'POST', StatusAnswer, () => purges.purgeAllWithHttpInfo({ service_id: serviceId }));
      return answer.status;
    },

    async purgeKeys(serviceId, keys) {
      if (keys.length === 0) throw new EdgeplaneError('invalid_input', 'purgeKeys needs at least one surrogate key');
      const request = { service_id: serviceId, purge_response: { surrogate_keys: keys } };
      const answer = await sdk('purgeKeys', 'POST', BulkPurgeAnswer, () => purges.bulkPurgeTagWithHttpInfo(request));
      return keys.map((key) => answer[key]).filter((id): id is string => id !== undefined);
    },

    async purgeUrl(url) {
      // Fastly takes the cached URL without its scheme: POST /purge/www.example.org/path.
      const cachedUrl = url.replace(/^https?:\/\//i, '');
      const answer = await sdk('purgeUrl', 'POST', PurgeAnswer, () => purges.purgeSingleUrlWithHttpInfo({ cached_url: cachedUrl }));
      return answer.id;
    },
  };
  return gateway;
}
