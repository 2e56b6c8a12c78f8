import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { systemClock } from '../../src/clock';
import { type Config, loadConfig } from '../../src/config';
import { isEdgeplaneError } from '../../src/errors';
import { FASTLY_API_URL } from '../../src/fastly/api-client';
import type { ControlPlaneConfig } from '../../src/lifecycle';
import { checkFastlyAccount, normalApiUrl } from '../../src/lifecycle/fastly-account';
import { databaseName, isPostgresUrl } from '../../src/store/location';
import { CliExit, ExitCode } from '../exit-codes';
import { listenAs } from '../listen';
import { createLogger } from '../logger';

// `edgeplane serve` (API + retry worker) and `edgeplane worker` (the retry worker alone). Both
// read the environment of src/config.ts and stop cleanly on SIGTERM/SIGINT: no new requests or
// steps are taken, the in-flight ones finish, then the database is closed. The server modules are
// loaded once the configuration is good.

function readConfig(needsApi: boolean): Config {
  try {
    return loadConfig(process.env, { api: needsApi });
  } catch (error) {
    if (isEdgeplaneError(error, 'invalid_input')) throw new CliExit(ExitCode.usage, error.detail);
    throw error;
  }
}

/**
 * Resolves on the first SIGTERM or SIGINT, or when the parent that started this process with an
 * IPC channel (`edgeplane start`) is gone, even killed outright; a second signal ends the process at once.
 */
function shutdownSignal(logger: Logger): Promise<string> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      // Armed before logging: with the parent gone, writing to its pipe may fail.
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
      logger.info({ signal }, 'shutting down: finishing in-flight work');
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (process.connected) process.once('disconnect', () => onSignal('parent gone'));
  });
}

/**
 * The control plane of the configuration, on its database (whose folder is made if missing); its
 * worker takes over the identity of a predecessor on this host that is gone. A database that cannot be opened stops the start naming its path.
 */
async function openConfiguredControlPlane(config: Config, logger: Logger, pollIntervalMs: number, onFastlyCall?: ControlPlaneConfig['onFastlyCall']) {
  const { openControlPlane } = await import('../../src/lifecycle');
  if (!isPostgresUrl(config.dbPath)) mkdirSync(dirname(config.dbPath), { recursive: true });
  return openControlPlane({
    fastly: config.fastly,
    dbPath: config.dbPath,
    packagePath: config.packagePath,
    retry: config.retry,
    ...(config.leaseMs !== undefined ? { leaseMs: config.leaseMs } : {}),
    ...(config.writeLimitPerHour !== undefined ? { writeLimitPerHour: config.writeLimitPerHour } : {}),
    ...(config.fastlyEdge ? { fastlyEdge: config.fastlyEdge } : {}),
    logger: logger.child({ component: 'lifecycle' }),
    onFastlyCall,
    pollIntervalMs,
    ...(config.notifyTimeoutMs !== undefined ? { delivery: { timeoutMs: config.notifyTimeoutMs } } : {}),
  }).catch((error: unknown) => {
    if (isEdgeplaneError(error, 'store_unavailable')) throw new CliExit(ExitCode.error, `${error.detail}; set EDGEPLANE_DB to use another database`);
    throw error;
  });
}

type Opened = Awaited<ReturnType<typeof openConfiguredControlPlane>>;

/**
 * Asks Fastly which account the token belongs to and checks it against the one the database
 * was created for (recording it in a new database): a database is never served for another
 * account or API. Closes `opened` when it refuses.
 */
async function checkDatabaseAccount(opened: Opened, config: Config, rebind: boolean, logger: Logger): Promise<void> {
  const apiUrl = normalApiUrl(config.fastly.baseUrl ?? FASTLY_API_URL);
  try {
    const customer = await opened.gateway.currentCustomer();
    const check = checkFastlyAccount(await opened.store.getFastlyAccount(), { apiUrl, customerId: customer.id }, rebind);
    if (!check.ok) {
      throw new CliExit(
        ExitCode.usage,
        `refusing to use the database ${databaseName(config.dbPath)}: ${check.reason}.\n`
          + `  Use this account's own database (EDGEPLANE_DB), or the token and FASTLY_API_URL of the recorded account.\n`
          + `  To move this database to the given account on purpose, start once with --rebind-database.`,
      );
    }
    if (check.record) await opened.store.putFastlyAccount(check.record, new Date());
    logger.info({ fastly: apiUrl, customerId: customer.id, db: databaseName(config.dbPath) }, check.reason);
  } catch (error) {
    await opened.close();
    if (isEdgeplaneError(error, 'unauthorized')) throw new CliExit(ExitCode.usage, `Fastly at ${apiUrl} refused FASTLY_API_TOKEN: ${error.detail}`);
    if (isEdgeplaneError(error))
      throw new CliExit(ExitCode.error, `could not ask Fastly at ${apiUrl} which account FASTLY_API_TOKEN belongs to: ${error.detail}`);
    throw error;
  }
}

export interface ServeOptions {
  worker: boolean;
  port?: number;
  host: string;
  logLevel: string;
  pollInterval: number;
  rebindDatabase: boolean;
}

export async function serve(options: ServeOptions): Promise<ExitCode> {
  const config = readConfig(true);
  const [{ createApiApp }, { createMetrics }, { startApiServer }] = await Promise.all([
    import('../../api/app'),
    import('../../api/metrics'),
    import('../../api/server'),
  ]);
  const logger = createLogger(options.logLevel, 'edgeplane');
  // Armed before `listening` is logged: a signal sent by whoever waits for that line must not find
  // the default handler, which kills the process without draining.
  const stopRequested = shutdownSignal(logger);
  let rateLimitRemaining = (): number | null => null;
  const metrics = createMetrics({ processMetrics: true, rateLimitRemaining: () => rateLimitRemaining() });
  const opened = await openConfiguredControlPlane(config, logger, options.pollInterval, (event) => metrics.recordFastlyCall(event));
  await checkDatabaseAccount(opened, config, options.rebindDatabase, logger);
  rateLimitRemaining = () => opened.gateway.rateLimit.remaining;
  const closing = new AbortController();
  const app = createApiApp({
    controlPlane: opened.controlPlane,
    notifications: opened.notifications,
    apiTokens: config.apiTokens,
    logger: logger.child({ component: 'api' }),
    metrics,
    publicStatus: config.publicStatus,
    closing: closing.signal,
    ready: () => opened.store.checkWritable(),
    migrations: { planner: { controlPlane: opened.controlPlane, gatewayFor: opened.gatewayFor, clock: systemClock }, runs: opened.migrations },
  });
  const server = await listenAs('control plane API', '--port or EDGEPLANE_PORT', () =>
    startApiServer({ app, port: options.port ?? config.port, hostname: options.host }),
  ).catch(async (error: unknown) => {
    await opened.close();
    throw error;
  });
  if (!existsSync(config.packagePath)) {
    logger.warn(
      { package: config.packagePath },
      `the edge package ${config.packagePath} does not exist: services cannot be provisioned until it does (build it with npm run build:edge, or set EDGEPLANE_PACKAGE)`,
    );
  }
  if (options.worker) {
    opened.worker.start();
    opened.delivery.start();
  }
  logger.info(
    {
      url: server.url,
      worker: options.worker,
      workerId: opened.workerId,
      db: databaseName(config.dbPath),
      package: config.packagePath,
      fastly: config.fastly.baseUrl ?? 'https://api.fastly.com',
    },
    'listening',
  );

  await stopRequested;
  // Live pages hold their connections open: end them, or the server never closes.
  closing.abort();
  await server.close();
  await opened.worker.stop();
  await opened.close();
  logger.info({}, 'stopped');
  return ExitCode.ok;
}

export async function worker(options: { logLevel: string; pollInterval: number; rebindDatabase: boolean }): Promise<ExitCode> {
  const config = readConfig(false);
  const logger = createLogger(options.logLevel, 'edgeplane-worker');
  const stopRequested = shutdownSignal(logger);
  const opened = await openConfiguredControlPlane(config, logger, options.pollInterval);
  await checkDatabaseAccount(opened, config, options.rebindDatabase, logger);
  opened.worker.start();
  opened.delivery.start();
  logger.info({ db: databaseName(config.dbPath), workerId: opened.workerId }, 'worker started');
  await stopRequested;
  await opened.worker.stop();
  await opened.close();
  logger.info({}, 'stopped');
  return ExitCode.ok;
}
