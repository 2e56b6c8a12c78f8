import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import type { ControlPlane } from '../src/control-plane';
import { EdgeplaneError } from '../src/errors';
import type { NotificationsApi } from '../src/notify/model';
import { renderDocsPage } from './docs-page';
import type { ApiMetrics } from './metrics';
import { validationHook } from './openapi-parts';
import { fromControlPlane, problemResponse } from './problem';
import { domainRoutes } from './routes/domains';
import { healthRoutes, type ReadinessCheck } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { migrationRunRoutes } from './routes/migration-runs';
import { type MigrationsApiParts, migrationRoutes } from './routes/migrations';
import { notificationRoutes } from './routes/notifications';
import { purgeRoutes } from './routes/purge';
import { serviceRoutes } from './routes/services';
import { isPublicUiPath, uiRoutes } from './ui/routes';
import { requireBearerOrSession, Sessions } from './ui/session';

const API_VERSION = '1.0.0';
/** Request bodies are small JSON documents; anything bigger is a mistake or an attack. */
const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

export interface ApiAppOptions {
  controlPlane: ControlPlane;
  /** Notification channels; without it the API has no notification routes. */
  notifications?: NotificationsApi;
  /** Accepted bearer tokens (EDGEPLANE_API_TOKEN). */
  apiTokens: readonly string[];
  logger: Logger;
  metrics: ApiMetrics;
  bodyLimitBytes?: number;
  /** The public read-only page /status/{service} (EDGEPLANE_PUBLIC_STATUS); default off. */
  publicStatus?: boolean;
  /** How often the operator page looks for changes; default 1 s. */
  liveIntervalMs?: number;
  /** Aborted when the server shuts down, so live streams end. */
  closing?: AbortSignal;
  /** What GET /healthz checks besides the process being up (the database taking writes). */
  ready?: ReadinessCheck;
  /** Moves from another Fastly account; without it the API has no migration routes. */
  migrations?: MigrationsApiParts;
}

const PUBLIC_PATHS = new Set(['/healthz']);

/** The control-plane HTTP API as a pure Hono app (serve it with api/server.ts, test it with app.request()). */
export function createApiApp({
  controlPlane,
  notifications,
  apiTokens,
  logger,
  metrics,
  bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES,
  publicStatus = false,
  liveIntervalMs,
  closing,
  ready,
  migrations,
}: ApiAppOptions) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  // Bearer tokens for clients, or the session a browser got from the login form at /ui.
  const sessions = new Sessions();
  const requireToken = requireBearerOrSession(apiTokens, sessions);

  const limitBody = bodyLimit({
    maxSize: bodyLimitBytes,
    onError: (c) => problemResponse(c, new EdgeplaneError('invalid_input', `the request body is larger than ${bodyLimitBytes} bytes`, { status: 413 })),
  });
  // Public paths pass; everything else needs the bearer token or a browser session. A GET or HEAD
  // request has no body to limit (asking for it would build the whole Request); writes' bodies are.
  const admit: MiddlewareHandler = (c, next) => {
    const { method, path } = c.req;
    const read = method === 'GET' || method === 'HEAD';
    const proceed: Next = read
      ? next
      : async () => {
          const tooLarge = await limitBody(c, next);
          if (tooLarge instanceof Response) c.res = tooLarge;
        };
    return (read && PUBLIC_PATHS.has(path)) || isPublicUiPath(path, publicStatus) ? proceed() : requireToken(c, proceed);
  };
  // One middleware around every request, not one per concern: each layer is a hop on every list
  // page a poller asks for; merged, a page took about 8 µs less (bench/README.md, issue 18).
  app.use('*', async (c, next) => {
    const started = performance.now();
    const refused = await admit(c, next);
    if (refused instanceof Response && !c.finalized) c.res = refused;
    const seconds = (performance.now() - started) / 1000;
    const route = routePath(c, -1);
    metrics.recordRequest(c.req.method, route, c.res.status, seconds);
    // Reads that succeeded are what pollers repeat (`domains wait`, dashboards): a line each at
    // debug; changes and failures at info. The metrics count every request either way.
    const level = (c.req.method === 'GET' || c.req.method === 'HEAD') && c.res.status < 400 ? 'debug' : 'info';
    if (logger.isLevelEnabled(level))
      logger[level]({ method: c.req.method, path: c.req.path, route, status: c.res.status, ms: Math.round(seconds * 1000) }, 'request');
  });

  app.route('/', healthRoutes(ready));
  app.route('/', serviceRoutes(controlPlane));
  app.route('/', domainRoutes(controlPlane));
  app.route('/', purgeRoutes(controlPlane));
  app.route('/', metricsRoutes(controlPlane, metrics));
  if (notifications) app.route('/', notificationRoutes(notifications));
  if (migrations) {
    app.route('/', migrationRoutes(migrations));
    app.route('/', migrationRunRoutes(migrations.runs));
  }
  app.route(
    '/',
    uiRoutes({ controlPlane, apiTokens, sessions, publicStatus, ...(liveIntervalMs === undefined ? {} : { liveIntervalMs }), ...(closing ? { closing } : {}) }),
  );

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A token from EDGEPLANE_API_TOKEN',
  });
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  const openApiDocument = () =>
    (document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'edgeplane control plane',
        version: API_VERSION,
        description:
          'Creates the Fastly service for a self-hosted site, attaches its domains and keeps retrying a domain another Fastly account still holds, until it is served and cached.',
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'services', description: 'The Fastly Compute service of a site' },
        { name: 'domains', description: 'Domains and their lifecycle' },
        { name: 'purge', description: 'Edge cache purges' },
        { name: 'migrations', description: 'Moving a site from another Fastly account' },
        { name: 'notifications', description: 'Webhooks and Mastodon statuses about domains and services' },
        { name: 'operations', description: 'Health and metrics' },
      ],
    }));
  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/docs', (c) => c.html(renderDocsPage(openApiDocument())));

  app.notFound((c) => problemResponse(c, new EdgeplaneError('not_found', `no route ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    const known = fromControlPlane(error);
    if (known) {
      if (known.status >= 500) logger.warn({ code: known.code, detail: known.detail }, 'control plane error');
      return problemResponse(c, known);
    }
    if (error instanceof HTTPException && error.status < 500) {
      const detail = error.status === 415 ? 'send the body as JSON with Content-Type: application/json' : error.message || 'bad request';
      return problemResponse(c, new EdgeplaneError('invalid_input', detail, { status: error.status }));
    }
    logger.error({ err: { name: error.name, message: error.message, stack: error.stack } }, 'unexpected error');
    return problemResponse(c, new EdgeplaneError('internal', 'internal error; see the control plane log'));
  });
  return app;
}
