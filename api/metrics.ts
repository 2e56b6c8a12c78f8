import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { FastlyCallEvent } from '../src/fastly/gateway';
import { DomainState } from '../src/model';

// Prometheus metrics of one control-plane process. Fastly calls are counted as the control plane
// reports them (onFastlyCall); domain states are read from the control plane at scrape time.

/** Operations that try to put a domain on a service: each one is a probe of whether it is free. */
const PROBE_OPERATIONS = new Set(['addDomain', 'createManagedDomain']);

export interface ApiMetrics {
  readonly registry: Registry;
  /** Pass as the control plane's `onFastlyCall`. */
  recordFastlyCall(event: FastlyCallEvent): void;
  recordRequest(method: string, route: string, status: number, seconds: number): void;
  /** Domains per state; a state left out has none. */
  setDomainCounts(counts: Partial<Record<DomainState, number>>): void;
}

export interface MetricsOptions {
  /** Fastly-RateLimit-Remaining as last seen, null before any write. */
  rateLimitRemaining?: () => number | null;
  /** Also export Node.js process metrics (off in tests that build many apps). */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'edgeplane_' });

  const domains = new Gauge({
    name: 'edgeplane_domains',
    help: 'Domains by lifecycle state.',
    labelNames: ['state'],
    registers: [registry],
  });
  for (const state of DomainState.options) domains.set({ state }, 0);

  const probes = new Counter({
    name: 'edgeplane_domain_probes_total',
    help: 'Attempts to add a domain to a Fastly service, by outcome (ok or our error code).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const fastlyCalls = new Counter({
    name: 'edgeplane_fastly_calls_total',
    help: 'Fastly API calls by operation and outcome (ok or our error code).',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const fastlyDuration = new Histogram({
    name: 'edgeplane_fastly_call_duration_seconds',
    help: 'Duration of Fastly API calls.',
    labelNames: ['operation'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const readRemaining = options.rateLimitRemaining;
  new Gauge({
    name: 'edgeplane_fastly_ratelimit_remaining',
    help: 'Fastly-RateLimit-Remaining as last reported by Fastly (NaN before the first write).',
    registers: [registry],
    collect() {
      const remaining = readRemaining?.() ?? null;
      this.set(remaining ?? Number.NaN);
    },
  });
  const requests = new Counter({
    name: 'edgeplane_http_requests_total',
    help: 'API requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'edgeplane_http_request_duration_seconds',
    help: 'API request duration.',
    labelNames: ['method', 'route'],
    registers: [registry],
  });

  return {
    registry,
    recordFastlyCall(event) {
      fastlyCalls.inc({ operation: event.operation, outcome: event.outcome });
      fastlyDuration.observe({ operation: event.operation }, event.durationMs / 1000);
      if (PROBE_OPERATIONS.has(event.operation)) probes.inc({ outcome: event.outcome });
    },
    recordRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      requestDuration.observe({ method, route }, seconds);
    },
    setDomainCounts(counts) {
      for (const state of DomainState.options) domains.set({ state }, counts[state] ?? 0);
    },
  };
}
