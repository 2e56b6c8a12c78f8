import { type Clock, systemClock } from '../clock';
import type { EdgeHints } from '../fastly/edge-hint';
import type { FastlyGateway } from '../fastly/gateway';
import { MigrationRunner } from '../migrate/runner';
import { MigrationRuns } from '../migrate/runs';
import type { Repository } from '../store';
import { ProbeBudget } from './budget';
import { type LifecycleContext, type Logger, silentLogger } from './context';
import { LifecycleControlPlane } from './control-plane';
import type { EdgePackageSource } from './edge-package';
import { DEFAULT_RETRY } from './schedule';
import { SharedProbeBudget } from './shared-budget';
import { DEFAULT_LEASE_MS, LeasedRetryWorker, type WorkerOptions } from './worker';

/** What the lifecycle runs on, whatever the runtime: a store, a gateway and the settings. */
export interface LifecycleParts {
  store: Repository;
  gateway: FastlyGateway;
  edgePackage: EdgePackageSource;
  retry?: { initialMs?: number; maxMs?: number };
  /** Share of Fastly's hourly write limit the probes may use; default 0.25. */
  budgetShare?: number;
  /** Fastly's write limit per hour per user; default 1000. */
  writeLimitPerHour?: number;
  clock?: Clock;
  logger?: Logger;
  /** Jitter source, uniform in [0, 1); default Math.random. */
  random?: () => number;
  /** Release hints from Fastly's edge; default none. */
  edgeHints?: EdgeHints;
  worker: WorkerOptions;
  /** A gateway for another account's token (a migration's old account); without it no migration runs. */
  gatewayFor?: (token: string) => FastlyGateway;
}

/**
 * The control plane and its retry worker over one context. The Node.js server (`openControlPlane`)
 * and the Cloudflare Worker (`cloudflare/`) both build theirs here, each with its own store.
 */
export function assembleLifecycle(parts: LifecycleParts): {
  controlPlane: LifecycleControlPlane;
  worker: LeasedRetryWorker;
  migrations: MigrationRuns;
  ctx: LifecycleContext;
} {
  const clock = parts.clock ?? systemClock;
  const ctx: LifecycleContext = {
    gateway: parts.gateway,
    store: parts.store,
    clock,
    random: parts.random ?? Math.random,
    retry: { initialMs: parts.retry?.initialMs ?? DEFAULT_RETRY.initialMs, maxMs: parts.retry?.maxMs ?? DEFAULT_RETRY.maxMs },
    // A probe up to one poll after its slot counts at the slot: the worker cannot take it sooner.
    budget: new SharedProbeBudget(
      new ProbeBudget({
        clock,
        writeLimitPerHour: parts.writeLimitPerHour ?? 1000,
        share: parts.budgetShare ?? 0.25,
        ...(parts.worker.pollIntervalMs === undefined ? {} : { lateCreditMs: parts.worker.pollIntervalMs }),
      }),
      parts.store,
      clock,
    ),
    edgePackage: parts.edgePackage,
    logger: parts.logger ?? silentLogger,
    ...(parts.edgeHints ? { edgeHints: parts.edgeHints } : {}),
  };
  const jobs = parts.gatewayFor
    ? [new MigrationRunner(ctx, { workerId: parts.worker.workerId, leaseMs: parts.worker.leaseMs ?? DEFAULT_LEASE_MS, gatewayFor: parts.gatewayFor })]
    : [];
  return { controlPlane: new LifecycleControlPlane(ctx), worker: new LeasedRetryWorker(ctx, parts.worker, jobs), migrations: new MigrationRuns(ctx), ctx };
}
