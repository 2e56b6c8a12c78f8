import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { type Clock, systemClock } from '../clock';
import { EdgeplaneError } from '../errors';
import { requireToken } from './auth';
import { backendRoutes } from './backends';
import { configStoreRoutes } from './config-stores';
import { controlRoutes } from './control';
import { customerRoutes } from './customer';
import { domainManagementRoutes } from './domain-management';
import { domainRoutes } from './domains';
import { edgeRoutes } from './edge';
import type { SimEnv } from './env';
import { injectFaults } from './faults';
import { recordReleases } from './ownership';
import { packageRoutes } from './packages';
import { purgeRoutes } from './purge';
import { writeRateLimit } from './rate-limit';
import { resourceRoutes } from './resources';
import { serviceRoutes } from './services';
import { SimState } from './state';
import { tlsRoutes } from './tls';
import { tlsActivationRoutes } from './tls-activations';
import { tlsCertificateRoutes } from './tls-certificates';
import { versionRoutes } from './versions';

export interface SimulatorOptions {
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** How long a let-go domain stays refused to other accounts. Default 5 minutes. */
  releaseDelayMs?: number;
  /** Time for each TLS step, pending → processing → issued. Default 30 s. */
  tlsDelayMs?: number;
  seed?: number;
  /** Non-GET requests per hour per user. Default 1000. */
  writeLimitPerHour?: number;
  clock?: Clock;
}

export interface RunningSimulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Fastly's edge (`src/sim/edge.ts`) on its own port: `127.0.0.1:PORT`, for EDGEPLANE_FASTLY_EDGE. */
  edgeAddress: string;
  defaultAccount: { customerId: string; name: string; token: string };
  close(): Promise<void>;
}

export interface Simulator {
  app: Hono;
  /** Fastly's edge: answers by the Host header from the same state. */
  edge: Hono;
  state: SimState;
  defaultAccount: RunningSimulator['defaultAccount'];
}

export const DEFAULT_SEED = 1;

/** Delays longer than this would put a release's end (`now + delay`) past what a Date holds. */
const MAX_DELAY_MS = 1000 * 365 * 24 * 60 * 60_000;

function checkedDelay(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) {
    throw new EdgeplaneError('invalid_input', `The simulator's ${name} must be between 0 and 1000 years in milliseconds, not ${ms}`);
  }
  return ms;
}

/** The simulator's state and Hono app, with its default account. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const state = new SimState(
    {
      releaseDelayMs: checkedDelay('release delay', options.releaseDelayMs ?? 5 * 60_000),
      tlsDelayMs: checkedDelay('TLS delay', options.tlsDelayMs ?? 30_000),
      writeLimitPerHour: options.writeLimitPerHour ?? 1000,
      clock: options.clock ?? systemClock,
    },
    options.seed ?? DEFAULT_SEED,
  );
  const account = state.createAccount('default');
  const defaultAccount = { customerId: account.customerId, name: account.name, token: account.tokens[0]! };

  const fastlyApi = new Hono<SimEnv>();
  // Log every Fastly API call (tests bound the number of calls), then apply faults, auth, the write limit.
  fastlyApi.use('*', async (c, next) => {
    await next();
    state.logRequest({ method: c.req.method, path: c.req.path, status: c.res.status, customerId: c.get('account')?.customerId ?? null, at: state.timestamp() });
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') recordReleases(state);
  });
  fastlyApi.use('*', injectFaults(state));
  fastlyApi.use('*', requireToken(state));
  fastlyApi.use('*', writeRateLimit(state));
  fastlyApi.route('/', customerRoutes());
  const areas = [
    serviceRoutes,
    versionRoutes,
    domainRoutes,
    domainManagementRoutes,
    backendRoutes,
    packageRoutes,
    configStoreRoutes,
    resourceRoutes,
    tlsRoutes,
    tlsCertificateRoutes,
    tlsActivationRoutes,
    purgeRoutes,
  ];
  for (const routes of areas) fastlyApi.route('/', routes(state));

  const app = new Hono();
  app.route('/__sim', controlRoutes(state));
  // The Fastly CLI reads OpenID Connect discovery from $FASTLY_ACCOUNT_ENDPOINT before its first
  // API call; pointed here, it needs nothing else (tokens come from FASTLY_API_TOKEN).
  app.get('/realms/fastly/.well-known/openid-configuration', (c) => {
    const base = new URL(c.req.url).origin;
    return c.json({
      issuer: `${base}/realms/fastly`,
      authorization_endpoint: `${base}/realms/fastly/protocol/openid-connect/auth`,
      token_endpoint: `${base}/realms/fastly/protocol/openid-connect/token`,
      jwks_uri: `${base}/realms/fastly/protocol/openid-connect/certs`,
    });
  });
  app.route('/', fastlyApi);
  app.notFound((c) => c.json({ msg: 'Record not found', detail: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    // A bug of ours must still look like Fastly's answer, and say what went wrong.
    return c.json({ msg: 'Internal Server Error', detail: String(error) }, 500);
  });
  return { app, edge: edgeRoutes(state), state, defaultAccount };
}

/** The pure app (tests may use `app.request`). */
export function createSimulatorApp(options: SimulatorOptions = {}): Hono {
  return createSimulator(options).app;
}

/** Serves the simulator over HTTP; `port` 0 (default) picks a free one. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const { app, edge, defaultAccount } = createSimulator(options);
  const host = options.host ?? '127.0.0.1';
  const api = await listen(app, host, options.port ?? 0);
  const edgeServer = await listen(edge, host, 0);
  return {
    url: `http://${host}:${api.port}`,
    edgeAddress: `${host}:${edgeServer.port}`,
    defaultAccount,
    close: async () => {
      await Promise.all([closeServer(api.server), closeServer(edgeServer.server)]);
    },
  };
}

type Server = ReturnType<typeof serve>;

function listen(app: Hono, host: string, port: number): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => resolve({ server, port: info.port }));
    server.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close((error) => (error ? reject(error) : resolve()));
  });
}
