import { hostname } from 'node:os';
import { type Clock, systemClock } from '../clock';
import { DEFAULT_PACKAGE_PATH } from '../config';
import type { ControlPlane, RetryWorker } from '../control-plane';
import { createFastlyGateway } from '../fastly/create-gateway';
import { fastlyEdgeHints } from '../fastly/fastly-edge-hints';
import type { FastlyCallEvent, FastlyGateway } from '../fastly/gateway';
import type { MigrationRuns } from '../migrate/runs';
import { type DeliveryOptions, OutboxDelivery } from '../notify/delivery';
import { Notifications } from '../notify/notifications';
import type { Sleep } from '../poll-loop';
import { openStore, type Repository } from '../store';
import { assembleLifecycle } from './assemble';
import type { Logger } from './context';
import { edgePackageFile } from './edge-package';
import { claimWorkerIdentity, processIsAlive } from './worker-identity';

export type { Logger } from './context';

export interface ControlPlaneConfig {
  fastly: { token: string; baseUrl?: string };
  /** SQLite file, `:memory:`, or a `postgres://` URL (src/store/README.md). */
  dbPath: string;
  /** EDGEPLANE_RETRY_INITIAL / EDGEPLANE_RETRY_MAX. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Share of Fastly's hourly write limit the probes may use; default 0.25. */
  budgetShare?: number;
  /** Fastly's write limit per hour per user; default 1000. */
  writeLimitPerHour?: number;
  /** The edge package to upload; default pkg/edgeplane.tar.gz. */
  packagePath?: string;
  clock?: Clock;
  logger?: Logger;
  onFastlyCall?: (event: FastlyCallEvent) => void;
  /** Lease owner of this process's worker; default `host/n`, claimed in the database (worker-identity.ts). */
  workerId?: string;
  pollIntervalMs?: number;
  /** Most due records one worker tick reads; default 100. */
  batchSize?: number;
  /** Hears each tick of the started worker end, with the steps it took. */
  onWorkerTick?: (stepped: number) => void;
  /** How the started worker waits between ticks (default a timer of pollIntervalMs). */
  workerSleep?: Sleep;
  /** How long a worker's lease lasts, default 2 min (a crashed worker's records wait this long for another worker). */
  leaseMs?: number;
  /** Jitter source, uniform in [0, 1); default Math.random. */
  random?: () => number;
  /** The notification delivery loop (default: the worker's poll interval, the retry backoff). */
  delivery?: DeliveryOptions;
  /**
   * Fastly's edge (`host` or `host:port`, EDGEPLANE_FASTLY_EDGE) to read free release hints from;
   * default none: every due probe of a waiting domain is a write.
   */
  fastlyEdge?: string;
}

export interface OpenedControlPlane {
  controlPlane: ControlPlane;
  /** Created, not started: call `worker.start()` to run the retry job in this process. */
  worker: RetryWorker;
  /** Created, not started: call `delivery.start()` to send this database's notifications from this process. */
  delivery: OutboxDelivery;
  notifications: Notifications;
  /** Migration runs from another Fastly account (the worker carries them out). */
  migrations: MigrationRuns;
  /** A gateway for another account's token (same API as `gateway`). */
  gatewayFor: (token: string) => FastlyGateway;
  /** The worker's lease owner. */
  workerId: string;
  store: Repository;
  gateway: FastlyGateway;
  close(): Promise<void>;
}

/** Opens the store (migrating it), the Fastly gateway, the control plane and its retry worker. */
export async function openControlPlane(config: ControlPlaneConfig): Promise<OpenedControlPlane> {
  const store = await openStore(config.dbPath, {
    onUnreachable: (problem, retryInMs) => config.logger?.warn({ err: problem, retryInMs }, `${problem.detail}; trying again`),
  });
  const clock = config.clock ?? systemClock;
  // Another account's token (a migration's old account) talks to the same API, reported the same way.
  const gatewayFor = (token: string) =>
    createFastlyGateway({
      token,
      clock,
      ...(config.fastly.baseUrl ? { baseUrl: config.fastly.baseUrl } : {}),
      ...(config.onFastlyCall ? { onCall: config.onFastlyCall } : {}),
    });
  const gateway = gatewayFor(config.fastly.token);
  const workerId =
    config.workerId ?? (await claimWorkerIdentity(store, { host: hostname(), pid: process.pid, isAlive: processIsAlive, now: new Date(clock.now()) }));
  const { controlPlane, worker, migrations, ctx } = assembleLifecycle({
    store,
    gateway,
    edgePackage: edgePackageFile(config.packagePath ?? DEFAULT_PACKAGE_PATH),
    clock,
    ...(config.retry ? { retry: config.retry } : {}),
    ...(config.budgetShare !== undefined ? { budgetShare: config.budgetShare } : {}),
    ...(config.writeLimitPerHour !== undefined ? { writeLimitPerHour: config.writeLimitPerHour } : {}),
    ...(config.logger ? { logger: config.logger } : {}),
    ...(config.random ? { random: config.random } : {}),
    ...(config.fastlyEdge ? { edgeHints: fastlyEdgeHints(config.fastlyEdge) } : {}),
    gatewayFor,
    worker: {
      workerId,
      ...(config.pollIntervalMs !== undefined ? { pollIntervalMs: config.pollIntervalMs } : {}),
      ...(config.batchSize !== undefined ? { batchSize: config.batchSize } : {}),
      ...(config.leaseMs !== undefined ? { leaseMs: config.leaseMs } : {}),
      ...(config.onWorkerTick ? { onTick: config.onWorkerTick } : {}),
      ...(config.workerSleep ? { sleep: config.workerSleep } : {}),
    },
  });
  const delivery = new OutboxDelivery(store.notifications, clock, ctx.random, ctx.logger, {
    backoff: ctx.retry,
    ...(config.pollIntervalMs !== undefined ? { pollIntervalMs: config.pollIntervalMs } : {}),
    ...config.delivery,
  });
  let closed = false;
  return {
    controlPlane,
    worker,
    delivery,
    notifications: new Notifications(store, clock),
    migrations,
    gatewayFor,
    workerId,
    store,
    gateway,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([worker.stop(), delivery.stop()]);
      await store.close();
    },
  };
}
