import type { Clock } from '../clock';
import type { TlsStatus } from '../model';

// Our typed view of the Fastly API. The implementation (`createFastlyGateway`) wraps the official
// `fastly` client (and fetch for what it lacks); every Fastly failure leaves it as an
// EdgeplaneError classified by the table in docs/ARCHITECTURE.md. Writes are never retried here.

export interface FastlyVersion {
  number: number;
  active: boolean;
  locked: boolean;
  comment: string;
}

export interface FastlyService {
  id: string;
  name: string;
  type: 'wasm' | 'vcl';
  /** Number of the active version, null when none is active. */
  activeVersion: number | null;
  versions: FastlyVersion[];
}

export interface BackendSpec {
  name: string;
  address: string;
  port: number;
  useSsl: boolean;
  overrideHost?: string;
  sslCertHostname?: string;
  sslSniHostname?: string;
  connectTimeoutMs?: number;
  firstByteTimeoutMs?: number;
  betweenBytesTimeoutMs?: number;
}

export interface FastlyBackend extends BackendSpec {}

export interface FastlyPackage {
  hashsum: string | null;
  filesHash: string | null;
  size: number | null;
}

export interface ConfigStore {
  id: string;
  name: string;
}

export interface ResourceLink {
  id: string;
  name: string;
  resourceId: string;
}

export interface TlsSubscription {
  id: string;
  state: TlsStatus['state'];
  domains: string[];
  dnsRecords: TlsStatus['dnsRecords'];
}

/** An uploaded (custom) TLS certificate and the names it covers. */
export interface TlsCertificate {
  id: string;
  name: string;
  domains: string[];
}

/** A TLS activation: an uploaded certificate enabled for one domain (which it claims while it lasts). */
export interface TlsActivation {
  id: string;
  certificateId: string;
  domain: string;
}

export interface ValidationResult {
  valid: boolean;
  messages: string[];
}

/** Domain Management v1 (versionless) domain. */
export interface ManagedDomain {
  id: string;
  fqdn: string;
  serviceId: string | null;
  activated: boolean;
  verified: boolean;
}

export interface RateLimitState {
  /** From Fastly-RateLimit-Remaining on the last write, null before any. */
  remaining: number | null;
  /** From Fastly-RateLimit-Reset (epoch seconds), null before any. */
  resetAt: Date | null;
}

/**
 * One Fastly call (one HTTP attempt: a retried read reports each attempt), reported for metrics
 * and for tests that bound the number of calls.
 */
export interface FastlyCallEvent {
  method: string;
  /** The gateway method, e.g. `addDomain`. */
  operation: string;
  /** `ok` or our error code. */
  outcome: string;
  status: number | null;
  durationMs: number;
}

/** The Fastly account (customer) a token belongs to. */
export interface FastlyCustomer {
  id: string;
  name: string;
}

export interface FastlyGateway {
  readonly rateLimit: RateLimitState;

  /** The account the token belongs to. */
  currentCustomer(): Promise<FastlyCustomer>;

  // Services
  createService(name: string, type?: 'wasm' | 'vcl'): Promise<FastlyService>;
  findServiceByName(name: string): Promise<FastlyService | null>;
  /** Every service of the account with its versions (all pages). */
  listServices(): Promise<FastlyService[]>;
  getService(serviceId: string): Promise<FastlyService>;
  deleteService(serviceId: string): Promise<void>;

  // Versions
  cloneVersion(serviceId: string, version: number): Promise<FastlyVersion>;
  validateVersion(serviceId: string, version: number): Promise<ValidationResult>;
  activateVersion(serviceId: string, version: number): Promise<FastlyVersion>;
  deactivateVersion(serviceId: string, version: number): Promise<FastlyVersion>;

  // Classic (version-scoped) domains
  listDomains(serviceId: string, version: number): Promise<string[]>;
  addDomain(serviceId: string, version: number, domain: string, comment?: string): Promise<void>;
  deleteDomain(serviceId: string, version: number, domain: string): Promise<void>;

  // Domain Management v1 (not in fastly-js: plain HTTP)
  createManagedDomain(fqdn: string, serviceId?: string): Promise<ManagedDomain>;
  listManagedDomains(fqdn?: string): Promise<ManagedDomain[]>;
  getManagedDomain(id: string): Promise<ManagedDomain>;
  /** Points the domain at another service (null: at none). */
  updateManagedDomain(id: string, serviceId: string | null): Promise<ManagedDomain>;
  deleteManagedDomain(id: string): Promise<void>;

  // Backends
  listBackends(serviceId: string, version: number): Promise<FastlyBackend[]>;
  createBackend(serviceId: string, version: number, backend: BackendSpec): Promise<FastlyBackend>;
  /** Sets every field of the named backend to `backend`'s; a field it leaves out is cleared on Fastly. */
  updateBackend(serviceId: string, version: number, backend: BackendSpec): Promise<FastlyBackend>;

  // Compute package
  uploadPackage(serviceId: string, version: number, tarGz: Uint8Array): Promise<FastlyPackage>;
  getPackage(serviceId: string, version: number): Promise<FastlyPackage | null>;

  // Config stores (items apply to every version at once)
  findConfigStore(name: string): Promise<ConfigStore | null>;
  createConfigStore(name: string): Promise<ConfigStore>;
  getConfigItem(storeId: string, key: string): Promise<string | null>;
  putConfigItem(storeId: string, key: string, value: string): Promise<void>;
  /** Sets several items in one write (Fastly's bulk update: all of them or none). */
  putConfigItems(storeId: string, items: Readonly<Record<string, string>>): Promise<void>;
  /** An absent key is not an error: the switch is off either way. */
  deleteConfigItem(storeId: string, key: string): Promise<void>;
  listResourceLinks(serviceId: string, version: number): Promise<ResourceLink[]>;
  linkResource(serviceId: string, version: number, resourceId: string, name: string): Promise<ResourceLink>;

  // TLS (Platform TLS subscriptions, JSON:API)
  createTlsSubscription(domain: string): Promise<TlsSubscription>;
  /** The domain's live subscription, else a failed one, else null. */
  findTlsSubscription(domain: string): Promise<TlsSubscription | null>;
  getTlsSubscription(id: string): Promise<TlsSubscription>;
  /** Every subscription of the account (all pages). */
  listTlsSubscriptions(): Promise<TlsSubscription[]>;
  /** Starts a failed subscription over (PATCH `attributes.state: "retry"`). */
  retryTlsSubscription(id: string): Promise<TlsSubscription>;
  /**
   * Deletes the subscription. Fastly refuses while one of its domains is active ("Subscription has
   * active domains") unless `force`, which may break TLS for a domain still served.
   */
  deleteTlsSubscription(id: string, options?: { force?: boolean }): Promise<void>;

  // Uploaded TLS certificates (`/tls/certificates`)
  /** Every uploaded certificate of the account (all pages). */
  listTlsCertificates(): Promise<TlsCertificate[]>;
  /** Fastly refuses one still enabled for a domain (its TLS activations go first). */
  deleteTlsCertificate(id: string): Promise<void>;

  // TLS activations (`/tls/activations`)
  /** The account's activations (all pages), only those of one certificate when `certificateId` is given. */
  listTlsActivations(filter?: { certificateId?: string }): Promise<TlsActivation[]>;
  /** Disables TLS on the activation's domain. */
  deleteTlsActivation(id: string): Promise<void>;

  // Purge
  purgeAll(serviceId: string): Promise<string>;
  purgeKeys(serviceId: string, keys: string[]): Promise<string[]>;
  purgeUrl(url: string): Promise<string>;
}

export interface FastlyGatewayOptions {
  token: string;
  /** Base URL of the Fastly API; default https://api.fastly.com (FASTLY_API_URL). */
  baseUrl?: string;
  onCall?: (event: FastlyCallEvent) => void;
  /** Per HTTP attempt, so a hung Fastly never hangs the job. Default 30 s. */
  timeoutMs?: number;
  /** Extra attempts of a read (GET) after a 5xx, timeout or reset; writes get none. Default 2. */
  readRetries?: number;
  /** Wait before the first read retry, doubled for each next one. Default 250 ms. */
  readRetryDelayMs?: number;
  /** Reads the time a Retry-After counts from; default the system clock. */
  clock?: Clock;
  /** Waits between read retries; default a timer. */
  wait?: (ms: number) => Promise<void>;
}
