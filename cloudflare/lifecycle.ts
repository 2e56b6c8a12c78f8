import { pino } from 'pino';
import { createMetrics } from '../api/metrics';
import edgePackageBytes from '../pkg/edgeplane.tar.gz';
import { systemClock } from '../src/clock';
import { createFastlyGateway } from '../src/fastly/create-gateway';
import { assembleLifecycle } from '../src/lifecycle/assemble';
import type { EdgePackageSource } from '../src/lifecycle/edge-package';
import { OutboxDelivery } from '../src/notify/delivery';
import { Notifications } from '../src/notify/notifications';
import { openD1Store } from './d1-store';
import { type WorkerConfig, type WorkerEnv, workerConfig } from './environment';

// The lifecycle of the Worker over D1. Objects that do I/O (store, gateway) are made for each
// event: workerd forbids using one request's I/O objects from another. What holds no I/O
// (configuration, logger, metrics) lives as long as the isolate.

/** Records one cron invocation steps at most: each costs about 10–25 D1 queries and up to ~10 Fastly calls, and an invocation may make 1,000 D1 queries. */
const RECORDS_PER_INVOCATION = 25;
/** Notifications one cron invocation sends at most (in parallel, each waiting at most EDGEPLANE_NOTIFY_TIMEOUT); the rest stay due. */
const DELIVERIES_PER_INVOCATION = 50;
/** No record is started after this much of an invocation: the rest stay due for the next one. */
export const STEP_WINDOW_MS = 20_000;

const edgePackage: EdgePackageSource = {
  location: 'pkg/edgeplane.tar.gz (bundled with the Worker)',
  read: async () => new Uint8Array(edgePackageBytes),
};

// Worker logs are what the Worker writes to the console: one JSON object a line.
export const logger = pino({ browser: { write: (entry) => console.log(JSON.stringify(entry)) } });

interface Isolate {
  config: WorkerConfig;
  metrics: ReturnType<typeof createMetrics>;
  schemaReady: boolean;
}
let isolate: Isolate | undefined;

/** The lifecycle over D1 for one event; `workerId` names the lease owner of its retry worker. */
export async function openLifecycle(env: WorkerEnv, workerId: string) {
  const { DB: _database, ...variables } = env;
  isolate ??= { config: workerConfig(variables), metrics: createMetrics(), schemaReady: false };
  const { config, metrics } = isolate;
  const store = await openD1Store(env.DB, { migrate: !isolate.schemaReady });
  isolate.schemaReady = true;
  const gateway = createFastlyGateway({
    token: config.fastly.token,
    ...(config.fastly.baseUrl ? { baseUrl: config.fastly.baseUrl } : {}),
    onCall: (event) => metrics.recordFastlyCall(event),
  });
  const lifecycle = assembleLifecycle({
    store,
    gateway,
    edgePackage,
    retry: config.retry,
    logger: logger.child({ component: 'lifecycle' }),
    worker: { workerId, leaseMs: config.leaseMs, batchSize: RECORDS_PER_INVOCATION },
  });
  // The outbox is sent from the cron handler, one round per invocation, as `serve` sends it beside its retry job.
  const delivery = new OutboxDelivery(store.notifications, systemClock, lifecycle.ctx.random, logger.child({ component: 'notify' }), {
    backoff: lifecycle.ctx.retry,
    batchSize: DELIVERIES_PER_INVOCATION,
    ...(config.notifyTimeoutMs !== undefined ? { timeoutMs: config.notifyTimeoutMs } : {}),
  });
  return { ...lifecycle, delivery, notifications: new Notifications(store, systemClock), config, metrics };
}
