import type { z } from 'zod';
import {
  BackendAnswer,
  BulkPurgeAnswer,
  ConfigItemAnswer,
  ConfigStoreAnswer,
  DomainListAnswer,
  ManagedDomainAnswer,
  ManagedDomainListAnswer,
  PackageAnswer,
  ResourceLinkAnswer,
  ServiceAnswer,
  StatusAnswer,
  TlsSubscriptionDocument,
  TlsSubscriptionListDocument,
  VersionAnswer,
} from '../../src/fastly/schemas';

// Conformance cases: what real Fastly answered to each call edgeplane makes, as recorded in
// go-fastly's go-vcr cassettes (github.com/fastly/go-fastly, paths below relative to its root) or,
// where no cassette has it, as a public report quotes it. Each case is one request; the cases run
// in order against one account, so later ones use what earlier ones created ({service}, ...).
// Texts are Fastly's own where the recording shows them; ids and names are ours.

export type CaseBody =
  | { form: Record<string, string> }
  | { json: unknown; contentType?: string }
  | { package: 'valid' | 'invalid' }
  | { headers: Record<string, string> };

export interface RecordedCase {
  /** The gateway operation that makes this call (src/fastly/create-gateway.ts), or what else needs it. */
  operation: string;
  /** The cassette (or report) the expectations come from. */
  source: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** With {placeholders} filled from earlier captures. */
  path: string;
  body?: CaseBody;
  status: number;
  /** Content-Type of the answer; null for none (204). */
  contentType: 'application/json' | 'application/vnd.api+json' | null;
  /** Whether Fastly-RateLimit-Remaining / -Reset came with the answer. */
  rateLimitHeaders: boolean;
  /** The error body exactly as recorded (placeholders allowed), for refusals. */
  error?: unknown;
  /** Our zod schema that reads the answer: it must parse. */
  schema?: z.ZodType;
  /** Paths (`a.b`, `list[].field`, `[].0` for an index) present in the recorded answer, beyond what the schema needs. */
  fields?: string[];
  /** Values the recorded answer had at these paths. */
  values?: Record<string, unknown>;
  /** Names for values of the answer, used by later cases' paths and bodies. */
  capture?: Record<string, string>;
}

const DOMAIN = 'conformance.example.org';
const SECOND_DOMAIN = 'second.conformance.example.org';
const MANAGED = 'managed.conformance.example.org';

const tlsCreateBody = (domain: string) => ({
  // go-fastly's body: `tls_domain` (singular) and an `included` list.
  data: { type: 'tls_subscription', relationships: { tls_domain: { data: [{ type: 'tls_domain', id: domain }] } } },
  included: [{ type: 'tls_domain', id: domain, attributes: { type: '' } }],
});

export const RECORDED_CASES: RecordedCase[] = [
  // Services (Compute).
  {
    operation: 'createService',
    source: 'fastly/fixtures/services/compute/create.yaml',
    method: 'POST',
    path: '/service',
    body: { form: { comment: 'comment', name: 'conformance', type: 'wasm' } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: ServiceAnswer,
    fields: ['customer_id', 'created_at', 'updated_at', 'versions[].service_id', 'versions[].created_at', 'versions[].updated_at'],
    values: { type: 'wasm', 'versions[].number': 1, 'versions[].active': false, 'versions[].locked': false },
    capture: { service: 'id' },
  },
  {
    operation: 'findServiceByName',
    source: 'fastly/fixtures/services/compute/search.yaml',
    method: 'GET',
    path: '/service/search?name=conformance',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ServiceAnswer,
    values: { id: '{service}', name: 'conformance' },
  },
  {
    operation: 'getService',
    source: 'fastly/fixtures/services/compute/get.yaml',
    method: 'GET',
    path: '/service/{service}',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ServiceAnswer,
    fields: ['versions[].service_id'],
  },
  // Classic domains on the draft.
  {
    operation: 'addDomain',
    source: 'fastly/fixtures/domains/create.yaml',
    method: 'POST',
    path: '/service/{service}/version/1/domain',
    body: { form: { comment: 'comment', name: DOMAIN } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    fields: ['created_at', 'updated_at'],
    values: { name: DOMAIN, comment: 'comment', service_id: '{service}', version: 1 },
  },
  {
    operation: 'listDomains',
    source: 'fastly/fixtures/domains/list.yaml',
    method: 'GET',
    path: '/service/{service}/version/1/domain',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: DomainListAnswer,
    values: { '[].name': DOMAIN, '[].version': 1 },
  },
  {
    operation: 'checkAllDomains (the Fastly CLI; not the gateway)',
    source: 'fastly/fixtures/domains/validate-all.yaml',
    method: 'GET',
    path: '/service/{service}/version/1/domain/check_all',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    // Each entry: [domain, the CNAME it points at (null: none seen), whether it points at Fastly].
    values: { '[].0.name': DOMAIN, '[].1': null, '[].2': false },
    fields: ['[].0.service_id', '[].0.version'],
  },
  // Backends.
  {
    operation: 'createBackend',
    source: 'fastly/fixtures/backends/compute/create.yaml',
    method: 'POST',
    path: '/service/{service}/version/1/backend',
    body: { form: { address: 'origin.conformance.example.org', connect_timeout: '1500', name: 'main_origin', override_host: 'origin.example.com', ssl_check_cert: '0', ssl_sni_hostname: 'ssl-hostname.com' } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: BackendAnswer,
    // Sent without port and use_ssl: Fastly answered port 80, use_ssl false.
    values: { port: 80, use_ssl: false, connect_timeout: 1500, ssl_check_cert: false, override_host: 'origin.example.com', service_id: '{service}', version: 1, weight: 100 },
  },
  {
    operation: 'listBackends',
    source: 'fastly/fixtures/backends/compute/list.yaml',
    method: 'GET',
    path: '/service/{service}/version/1/backend',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    fields: ['[].hostname', '[].between_bytes_timeout', '[].max_conn'],
    values: { '[].between_bytes_timeout': 10000, '[].max_conn': 200 },
  },
  {
    operation: 'updateBackend',
    source: 'fastly/fixtures/backends/compute/update.yaml',
    method: 'PUT',
    path: '/service/{service}/version/1/backend/main_origin',
    body: { form: { override_host: 'www.example.com', port: '1234', ssl_sni_hostname: 'ssl-hostname-updated.com' } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: BackendAnswer,
    values: { port: 1234, first_byte_timeout: 15000, override_host: 'www.example.com', ssl_sni_hostname: 'ssl-hostname-updated.com' },
  },
  // Compute package.
  {
    operation: 'uploadPackage (not a package)',
    source: 'fastly/fixtures/package/update_invalid.yaml',
    method: 'PUT',
    path: '/service/{service}/version/1/package',
    body: { package: 'invalid' },
    status: 400,
    contentType: 'application/json',
    rateLimitHeaders: true,
    fields: ['detail'],
    values: { msg: 'Bad request' },
  },
  {
    operation: 'uploadPackage',
    source: 'fastly/fixtures/package/update.yaml',
    method: 'PUT',
    path: '/service/{service}/version/1/package',
    body: { package: 'valid' },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: PackageAnswer,
    fields: ['id', 'metadata.name', 'metadata.language', 'metadata.hashsum', 'metadata.files_hash', 'metadata.size'],
    values: { service_id: '{service}', version: 1 },
  },
  {
    operation: 'getPackage',
    source: 'fastly/fixtures/package/get.yaml',
    method: 'GET',
    path: '/service/{service}/version/1/package',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: PackageAnswer,
    fields: ['metadata.hashsum', 'metadata.files_hash', 'metadata.size', 'created_at'],
  },
  // Config store and items: no rate-limit headers in any of their recordings.
  {
    operation: 'createConfigStore',
    source: 'fastly/fixtures/config_store/TestClient_CreateConfigStore/create_store.yaml',
    method: 'POST',
    path: '/resources/stores/config',
    body: { form: { name: 'conformance' } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ConfigStoreAnswer,
    fields: ['created_at', 'updated_at'],
    values: { name: 'conformance', deleted_at: null },
    capture: { store: 'id' },
  },
  {
    operation: 'findConfigStore',
    source: 'fastly/fixtures/config_store/TestClient_ListConfigStores/list-with-name.yaml',
    method: 'GET',
    path: '/resources/stores/config?name=conformance',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    values: { '[].name': 'conformance', '[].id': '{store}' },
  },
  {
    operation: 'getConfigStore (unknown id)',
    source: 'fastly/fixtures/config_store/TestClient_GetConfigStore/get_store_404.yaml',
    method: 'GET',
    path: '/resources/stores/config/DOES-NOT-EXIST',
    status: 404,
    contentType: 'application/json',
    rateLimitHeaders: false,
    values: { msg: 'Record not found' },
  },
  {
    operation: 'putConfigItem',
    source: 'fastly/fixtures/config_store_item/TestClient_UpdateConfigStoreItem/upsert_item.yaml',
    method: 'PUT',
    path: '/resources/stores/config/{store}/item/site',
    body: { form: { item_value: 'i was upserted' } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ConfigItemAnswer,
    values: { item_key: 'site', item_value: 'i was upserted', store_id: '{store}' },
  },
  {
    operation: 'getConfigItem',
    source: 'fastly/fixtures/config_store_item/TestClient_GetConfigStoreItem/get_item.yaml',
    method: 'GET',
    path: '/resources/stores/config/{store}/item/site',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ConfigItemAnswer,
    values: { item_value: 'i was upserted', store_id: '{store}' },
  },
  {
    operation: 'deleteConfigItem',
    source: 'fastly/fixtures/config_store_item/TestClient_DeleteConfigStoreItem/delete_item.yaml',
    method: 'DELETE',
    path: '/resources/stores/config/{store}/item/site',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: StatusAnswer,
    values: { status: 'ok' },
  },
  // Resource links.
  {
    operation: 'linkResource',
    source: 'fastly/fixtures/resources/create.yaml',
    method: 'POST',
    path: '/service/{service}/version/1/resource',
    body: { form: { name: 'edgeplane', resource_id: '{store}' } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: ResourceLinkAnswer,
    fields: ['resource_type', 'created_at'],
    values: { service_id: '{service}', version: 1, resource_id: '{store}' },
  },
  {
    operation: 'listResourceLinks',
    source: 'fastly/fixtures/resources/list.yaml',
    method: 'GET',
    path: '/service/{service}/version/1/resource',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    values: { '[].name': 'edgeplane', '[].resource_id': '{store}' },
  },
  // Versions.
  {
    operation: 'activateVersion',
    source: 'fastly/fixtures/tls_subscription/compute/activate_version.yaml',
    method: 'PUT',
    path: '/service/{service}/version/1/activate',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: VersionAnswer,
    fields: ['created_at', 'updated_at', 'environments'],
    values: { number: 1, service_id: '{service}', active: true, locked: true },
  },
  {
    operation: 'any write to the active version',
    source: 'fastly/fixtures/tls_subscription/compute/cleanup.yaml',
    method: 'DELETE',
    path: '/service/{service}/version/1/backend/main_origin',
    status: 422,
    contentType: 'application/json',
    rateLimitHeaders: true,
    error: { msg: 'Version locked', detail: "Version '1' for service '{service}' is locked" },
  },
  {
    operation: 'cloneVersion',
    source: 'fastly/fixtures/versions/compute/clone.yaml',
    method: 'PUT',
    path: '/service/{service}/version/1/clone',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: VersionAnswer,
    fields: ['created_at', 'updated_at', 'environments', 'deployed', 'staging', 'testing'],
    values: { number: 2, service_id: '{service}', active: false, locked: false },
    capture: { draft: 'number' },
  },
  {
    operation: 'addDomain (to the draft)',
    source: 'fastly/fixtures/tls_subscription/domains/create2.yaml',
    method: 'POST',
    path: '/service/{service}/version/{draft}/domain',
    body: { form: { comment: 'comment', name: SECOND_DOMAIN } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    values: { name: SECOND_DOMAIN, version: 2 },
  },
  {
    operation: 'deleteDomain',
    source: 'fastly/fixtures/domains/delete.yaml',
    method: 'DELETE',
    path: `/service/{service}/version/{draft}/domain/${SECOND_DOMAIN}`,
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: StatusAnswer,
    values: { status: 'ok' },
  },
  // TLS subscriptions (JSON:API): no rate-limit headers.
  {
    operation: 'createTlsSubscription (domain on no active version)',
    source: 'rust-lang/simpleinfra pull request 811 (quoted answer); fastly/tls_subscription_test.go activates the version first',
    method: 'POST',
    path: '/tls/subscriptions',
    body: { json: tlsCreateBody(SECOND_DOMAIN), contentType: 'application/vnd.api+json' },
    status: 400,
    contentType: 'application/vnd.api+json',
    rateLimitHeaders: false,
    error: {
      errors: [{ title: 'The domain you entered was not found on one of your services', detail: `Please add ${SECOND_DOMAIN} to an active service to begin TLS enablement.` }],
    },
  },
  {
    operation: 'createTlsSubscription',
    source: 'fastly/fixtures/tls_subscription/compute/create.yaml',
    method: 'POST',
    path: '/tls/subscriptions',
    body: { json: tlsCreateBody(DOMAIN), contentType: 'application/vnd.api+json' },
    status: 201,
    contentType: 'application/vnd.api+json',
    rateLimitHeaders: false,
    schema: TlsSubscriptionDocument,
    fields: [
      'data.attributes.certificate_authority',
      'data.attributes.has_active_order',
      'data.relationships.common_name.data.id',
      'data.relationships.tls_configuration.data.id',
      'included[].attributes.challenges[].record_name',
      'included[].attributes.challenges[].values',
    ],
    values: {
      'data.type': 'tls_subscription',
      'data.attributes.state': 'pending',
      'data.attributes.certificate_authority': 'certainly',
      'data.relationships.tls_domains.data[].id': DOMAIN,
      'included[].type': 'tls_authorization',
    },
    capture: { subscription: 'data.id' },
  },
  {
    operation: 'findTlsSubscription',
    source: 'fastly/fixtures/tls_subscription/list.yaml',
    method: 'GET',
    path: `/tls/subscriptions?filter[tls_domains.id]=${DOMAIN}&include=tls_authorizations`,
    status: 200,
    contentType: 'application/vnd.api+json',
    rateLimitHeaders: false,
    schema: TlsSubscriptionListDocument,
    values: { 'data[].id': '{subscription}', 'data[].relationships.tls_domains.data[].id': DOMAIN },
  },
  {
    operation: 'getTlsSubscription',
    source: 'fastly/fixtures/tls_subscription/get.yaml',
    method: 'GET',
    path: '/tls/subscriptions/{subscription}?include=tls_authorizations',
    status: 200,
    contentType: 'application/vnd.api+json',
    rateLimitHeaders: false,
    schema: TlsSubscriptionDocument,
    values: { 'data.id': '{subscription}', 'data.attributes.state': 'pending' },
  },
  {
    operation: 'deleteTlsSubscription (pending: no force needed)',
    source: 'fastly/fixtures/tls_subscription/delete.yaml',
    method: 'DELETE',
    path: '/tls/subscriptions/{subscription}',
    status: 204,
    contentType: null,
    rateLimitHeaders: false,
  },
  {
    operation: 'deleteTlsSubscription (already gone)',
    source: 'fastly/fixtures/tls_subscription/cleanup.yaml',
    method: 'DELETE',
    path: '/tls/subscriptions/{subscription}',
    status: 404,
    contentType: 'application/vnd.api+json',
    rateLimitHeaders: false,
    error: { errors: [{ title: 'Not found', detail: 'The subscription you requested was not found' }] },
  },
  // Domain Management v1: plain JSON, no rate-limit headers.
  {
    operation: 'createManagedDomain',
    source: 'fastly/domainmanagement/v1/domains/fixtures/create.yaml',
    method: 'POST',
    path: '/domain-management/v1/domains',
    body: { json: { description: 'my description', fqdn: MANAGED, service_id: null } },
    status: 201,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ManagedDomainAnswer,
    fields: ['created_at', 'updated_at'],
    values: { fqdn: MANAGED, service_id: null, activated: false, verified: false, description: 'my description' },
    capture: { managed: 'id' },
  },
  {
    operation: 'createManagedDomain (again)',
    source: 'fastly/domainmanagement/v1/domains/fixtures/create_duplicate.yaml',
    method: 'POST',
    path: '/domain-management/v1/domains',
    body: { json: { description: null, fqdn: MANAGED, service_id: null } },
    status: 400,
    contentType: 'application/json',
    rateLimitHeaders: false,
    error: { errors: [{ title: 'Invalid value for fqdn', detail: 'fqdn has already been taken' }] },
  },
  {
    operation: 'getManagedDomain',
    source: 'fastly/domainmanagement/v1/domains/fixtures/get.yaml',
    method: 'GET',
    path: '/domain-management/v1/domains/{managed}',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ManagedDomainAnswer,
    values: { id: '{managed}', activated: false, verified: false },
  },
  {
    operation: 'listManagedDomains',
    source: 'fastly/domainmanagement/v1/domains/fixtures/list.yaml',
    method: 'GET',
    path: `/domain-management/v1/domains?fqdn=${MANAGED}&limit=10&sort=fqdn`,
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ManagedDomainListAnswer,
    values: { 'data[].id': '{managed}', 'meta.total': 1, 'meta.limit': 10 },
  },
  {
    operation: 'updateManagedDomain',
    source: 'fastly/domainmanagement/v1/domains/fixtures/update.yaml',
    method: 'PATCH',
    path: '/domain-management/v1/domains/{managed}',
    body: { json: { description: 'updated description', service_id: '{service}' } },
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    schema: ManagedDomainAnswer,
    values: { service_id: '{service}', description: 'updated description', activated: false, verified: false },
  },
  {
    operation: 'deleteManagedDomain',
    source: 'fastly/domainmanagement/v1/domains/fixtures/delete.yaml',
    method: 'DELETE',
    path: '/domain-management/v1/domains/{managed}',
    status: 204,
    contentType: null,
    rateLimitHeaders: false,
  },
  // Purges.
  {
    operation: 'purgeAll',
    source: 'fastly/fixtures/purges/compute/purge_all.yaml',
    method: 'POST',
    path: '/service/{service}/purge_all',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: true,
    schema: StatusAnswer,
    values: { status: 'ok' },
  },
  {
    operation: 'purge one key',
    source: 'fastly/fixtures/purges/compute/purge_by_key.yaml',
    method: 'POST',
    path: '/service/{service}/purge/foo',
    status: 200,
    contentType: 'application/json',
    rateLimitHeaders: false,
    fields: ['id'],
    values: { status: 'ok' },
  },
  {
    operation: 'purgeKeys',
    source: 'fastly/fixtures/purges/compute/purge_by_keys.yaml',
    method: 'POST',
    path: '/service/{service}/purge',
    body: { headers: { 'Surrogate-Key': 'foo bar baz' } },
    status: 200,
    // Recorded without a Content-Type; the simulator's server labels it text/plain.
    contentType: null,
    rateLimitHeaders: false,
    schema: BulkPurgeAnswer,
    fields: ['foo', 'bar', 'baz'],
  },
];

/**
 * Gateway operations no cassette records, with where their expectations come from instead (the
 * simulator's own tests cover them: test/sim-*.test.ts, src/fastly/*.test.ts).
 */
export const UNRECORDED_OPERATIONS: Record<string, string> = {
  deleteService: 'recorded only after deactivation (fastly/fixtures/services/compute/delete.yaml); refused while active per the errors guide',
  validateVersion: 'no cassette; fastly-js ValidatorResult model',
  deactivateVersion: 'no cassette; API reference, "Version"',
  retryTlsSubscription: 'no cassette; fastly-js patchTlsSub documentation (attributes.state "retry")',
  purgeUrl: 'no cassette; API reference, "Purging"',
  currentCustomer: 'no cassette; API reference, "Customer" (GET /current_customer answers the customer of the token)',
  putConfigItems: 'no cassette; API reference, "Config store item" (PATCH /resources/stores/config/{id}/items, bulk update answering {"status":"ok"}; fastly-js bulkUpdateConfigStoreItem)',
};
