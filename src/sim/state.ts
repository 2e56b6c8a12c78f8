import type { Clock } from '../clock';
import { SeededRandom } from './ids';
import type { PackageMetadata } from './package-archive';

// The simulator's whole world, in memory. Handlers mutate it; ownership.ts derives who holds
// which domain from it.

export interface Account {
  customerId: string;
  name: string;
  tokens: string[];
  deleted: boolean;
}

export interface Backend {
  name: string;
  address: string;
  port: number;
  use_ssl: boolean;
  override_host: string | null;
  ssl_cert_hostname: string | null;
  ssl_sni_hostname: string | null;
  ssl_check_cert: boolean;
  connect_timeout: number;
  first_byte_timeout: number;
  between_bytes_timeout: number;
  shield: string | null;
  healthcheck: string | null;
  weight: number;
  max_conn: number;
  comment: string;
  created_at: string;
  updated_at: string;
}

export interface PackageInfo extends PackageMetadata {
  id: string;
  created_at: string;
  updated_at: string;
}

export interface ResourceLink {
  id: string;
  name: string;
  resource_id: string;
  resource_type: string;
  created_at: string;
  updated_at: string;
}

export interface DomainEntry {
  name: string;
  comment: string;
  created_at: string;
  updated_at: string;
}

export interface Version {
  number: number;
  active: boolean;
  locked: boolean;
  comment: string;
  /** How many times this version was activated: tests assert "exactly one activation". */
  activations: number;
  domains: DomainEntry[];
  backends: Backend[];
  package: PackageInfo | null;
  resources: ResourceLink[];
  created_at: string;
  updated_at: string;
}

export interface Service {
  id: string;
  customerId: string;
  name: string;
  type: 'vcl' | 'wasm';
  comment: string;
  versions: Version[];
  created_at: string;
  updated_at: string;
}

export interface ConfigStore {
  id: string;
  customerId: string;
  name: string;
  items: Map<string, { value: string; created_at: string; updated_at: string }>;
  created_at: string;
  updated_at: string;
}

export type TlsState = 'pending' | 'processing' | 'issued' | 'renewing' | 'failed';

export interface TlsSubscription {
  id: string;
  customerId: string;
  certificateAuthority: string;
  configurationId: string;
  domains: string[];
  /** Progress is measured from here (reset by a retry). */
  startedAt: number;
  failed: boolean;
  authorizations: Array<{ id: string; domain: string; dnsToken: string; cnameLetter: string }>;
  created_at: string;
}

/** An uploaded certificate (`/tls/certificates`): claims its subjectAltName DNS names. */
export interface TlsCertificate {
  id: string;
  customerId: string;
  name: string;
  domains: string[];
  issuedTo: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  created_at: string;
}

/** A TLS activation (`/tls/activations`): an uploaded certificate enabled for one domain, which it claims. */
export interface TlsActivation {
  id: string;
  customerId: string;
  certificateId: string;
  configurationId: string;
  domain: string;
  created_at: string;
}

export interface ManagedDomain {
  id: string;
  customerId: string;
  fqdn: string;
  service_id: string | null;
  description: string | null;
  created_at: string;
  updated_at: string;
}

/** A domain that its holder let go of: refused to everyone else until `until`. */
export interface Release {
  domain: string;
  customerId: string;
  until: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  customerId: string | null;
  at: string;
}

export interface Purge {
  id: string;
  customerId: string;
  kind: 'url' | 'key' | 'all';
  serviceId: string | null;
  target: string;
  soft: boolean;
  at: string;
}

export interface Faults {
  errorRate: number;
  statuses: number[];
  latencyMs: number;
  resetRate: number;
}

export interface SimConfig {
  releaseDelayMs: number;
  tlsDelayMs: number;
  writeLimitPerHour: number;
  clock: Clock;
}

const MAX_LOG_ENTRIES = 10_000;

export class SimState {
  readonly random: SeededRandom;
  readonly accounts = new Map<string, Account>();
  readonly services = new Map<string, Service>();
  readonly configStores = new Map<string, ConfigStore>();
  readonly tlsSubscriptions = new Map<string, TlsSubscription>();
  readonly managedDomains = new Map<string, ManagedDomain>();
  readonly tlsCertificates = new Map<string, TlsCertificate>();
  readonly tlsActivations = new Map<string, TlsActivation>();
  /** Each account's default TLS configuration id (subscriptions and activations name it when none is given). */
  private readonly tlsConfigurations = new Map<string, string>();
  /** Domains an account holds through the control API (as if on an active service elsewhere). */
  readonly holds = new Map<string, string>();
  /** Domains whose next (or current) TLS subscription must fail. */
  readonly tlsFailures = new Set<string>();
  releases: Release[] = [];
  /** Live claims seen after the last change: `domain -> customerIds`. */
  claims = new Map<string, Set<string>>();
  readonly requestLog: RequestLogEntry[] = [];
  readonly purges: Purge[] = [];
  faults: Faults = { errorRate: 0, statuses: [503], latencyMs: 0, resetRate: 0 };
  /** Write counters per customer (one user per account): start of the window and count. */
  readonly writeWindows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly config: SimConfig,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
  }

  /** Keeps the newest entries only, so a long-running simulator does not grow without bound. */
  logRequest(entry: RequestLogEntry): void {
    this.requestLog.push(entry);
    if (this.requestLog.length > MAX_LOG_ENTRIES) this.requestLog.splice(0, this.requestLog.length - MAX_LOG_ENTRIES);
  }

  now(): number {
    return this.config.clock.now();
  }

  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  createAccount(name: string): Account {
    const account: Account = { customerId: this.random.id(), name, tokens: [this.random.id(32)], deleted: false };
    this.accounts.set(account.customerId, account);
    return account;
  }

  accountByToken(token: string): Account | undefined {
    for (const account of this.accounts.values()) {
      if (!account.deleted && account.tokens.includes(token)) return account;
    }
    return undefined;
  }

  defaultTlsConfiguration(customerId: string): string {
    if (!this.tlsConfigurations.has(customerId)) this.tlsConfigurations.set(customerId, this.random.id());
    return this.tlsConfigurations.get(customerId)!;
  }

  servicesOf(customerId: string): Service[] {
    return [...this.services.values()].filter((service) => service.customerId === customerId);
  }
}
