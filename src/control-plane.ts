import type { AttachInput, DomainPage, DomainPageRequest, DomainRecord, DomainState, PurgeInput, ServiceInput, ServiceRecord } from './model';

/**
 * What the API and the CLI ask of the control plane. Implemented by the lifecycle
 * (`src/lifecycle/`); every method throws EdgeplaneError (`not_found`, `invalid_input`, ...).
 */
export interface ControlPlane {
  createService(input: ServiceInput): Promise<ServiceRecord>;
  listServices(): Promise<ServiceRecord[]>;
  getService(name: string): Promise<ServiceRecord>;
  /** Accept a domain: the record starts `queued` and the retry job takes it from there. */
  attachDomain(service: string, input: AttachInput): Promise<DomainRecord>;
  /**
   * One page of the service's domains, ordered by name, without history (default 100, at most
   * 1000); `after` is the previous page's `next`. An invalid limit or cursor is `invalid_input`.
   */
  listDomains(service: string, page?: DomainPageRequest): Promise<DomainPage>;
  /** How many domains of all services are in each state (states without any are left out). */
  countDomainsByState(): Promise<Partial<Record<DomainState, number>>>;
  getDomain(service: string, domain: string): Promise<DomainRecord>;
  /** Retry now: reset the backoff and make the next attempt due immediately. */
  retryDomain(service: string, domain: string): Promise<DomainRecord>;
  /** Cancel when not attached yet, detach (TLS subscription first, then the domain) when attached. */
  removeDomain(service: string, domain: string): Promise<DomainRecord>;
  /** Operator override of the caching switch `caching:<domain>`. */
  setCaching(service: string, domain: string, enabled: boolean): Promise<DomainRecord>;
  purge(service: string, input: PurgeInput): Promise<{ purged: string; fastlyIds: string[] }>;
}

/** The durable retry job: runs due reconcile steps until stopped. */
export interface RetryWorker {
  start(): void;
  /**
   * Run every due step once; resolves to how many records were stepped. With a `deadline`
   * (epoch ms), no record is started after it: the rest stay due for the next tick.
   */
  tick(options?: { deadline?: number }): Promise<number>;
  /** Stop taking new work and wait for in-flight steps to finish. */
  stop(): Promise<void>;
}
