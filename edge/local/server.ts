import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Clock } from '../../src/clock';
import { EdgeplaneError } from '../../src/errors';
import type { SiteConfig } from '../../src/site-config';
import { createEdgeApp } from '../app';
import type { EdgeLogEntry } from '../platform';
import { EdgeCache } from './cache';
import { type ConfigReader, fastlyConfigStoreReader, fixedConfigReader } from './config-source';
import { httpOriginFetcher } from './origin-fetcher';
import { createLocalPlatform } from './platform';
import { simPurgeFeed } from './purge-feed';
import { websocketTunnels } from './websocket-tunnel';

// The local edge: app.ts under Node in front of local origins, for `edgeplane edge serve` and
// `npm start`. It listens on plain HTTP and plays a TLS-terminating edge: requests count as
// HTTPS unless they carry `X-Forwarded-Proto: http` (how to try the HTTPS redirect locally).

export interface LocalEdgeOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Base URL of the main origin (the load balancer), e.g. http://127.0.0.1:3000. */
  originMain: string;
  /** Base URL of the files origin. */
  originStatic: string;
  /** The control plane's Fastly API; the site config and switches come from the service's Config Store. */
  fastlyUrl?: string;
  fastlyToken?: string;
  /** With fastlyUrl: the Fastly service (by name) whose linked Config Store the edge reads. */
  service?: string;
  configRefreshMs?: number;
  /** Without fastlyUrl: the site config, and one caching switch for its hosts. */
  site?: SiteConfig;
  caching?: boolean;
  /** Without fastlyUrl: send the decision header (with it, the Config Store's `debug:<host>` keys say). */
  debugHeader?: boolean;
  clock?: Clock;
  log?: (entry: EdgeLogEntry) => void;
}

export interface RunningLocalEdge {
  url: string;
  close(): Promise<void>;
}

function configReader(options: LocalEdgeOptions): ConfigReader {
  if (options.fastlyUrl) {
    if (!options.fastlyToken)
      throw new EdgeplaneError('invalid_input', 'a Fastly API token is needed to read the Config Store (FASTLY_API_TOKEN or --fastly-token-file)');
    if (!options.service) throw new EdgeplaneError('invalid_input', 'name the service whose Config Store the edge reads (--service)');
    return fastlyConfigStoreReader({
      apiUrl: options.fastlyUrl,
      token: options.fastlyToken,
      service: options.service,
      refreshMs: options.configRefreshMs,
      clock: options.clock,
    });
  }
  if (!options.site) throw new EdgeplaneError('invalid_input', 'give the site (--main, --static) or a Fastly API to read it from (--fastly-url)');
  return fixedConfigReader(options.site, options.caching ?? true, options.debugHeader ?? false);
}

function asSeenByTheEdge(request: Request): Request {
  const plain = request.headers.get('x-forwarded-proto')?.toLowerCase() === 'http';
  const url = new URL(request.url);
  url.protocol = plain ? 'http:' : 'https:';
  return url.href === request.url ? request : new Request(url.href, request);
}

export async function startLocalEdge(options: LocalEdgeOptions): Promise<RunningLocalEdge> {
  for (const [flag, value] of [
    ['origin-main', options.originMain],
    ['origin-static', options.originStatic],
  ] as const) {
    if (!URL.canParse(value)) throw new EdgeplaneError('invalid_input', `--${flag} is not a URL: ${value}`);
  }
  const readStore = configReader(options);
  const cache = new EdgeCache({ clock: options.clock });
  // Every request reads the Config Store first: the moment to catch up with purges too.
  const purges = options.fastlyUrl ? simPurgeFeed({ apiUrl: options.fastlyUrl, cache, refreshMs: options.configRefreshMs, clock: options.clock }) : null;
  const readConfig: ConfigReader = async (key) => {
    await purges?.sync();
    return readStore(key);
  };
  const originUrls = { main: options.originMain, static: options.originStatic };
  const origins = httpOriginFetcher(originUrls);
  const tunnels = websocketTunnels(originUrls);
  const platform = createLocalPlatform({
    fetchOrigin: origins.fetch,
    cache,
    readConfig,
    log: options.log,
    handoffWebsocket: tunnels.handoff,
  });
  const app = createEdgeApp(platform);
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
    const server = serve({ fetch: (request, env) => app.fetch(asSeenByTheEdge(request), env), port: options.port ?? 0, hostname: host }, (info: AddressInfo) =>
      resolve({ server, port: info.port }),
    );
    server.once('error', reject);
  });
  server.on('upgrade', tunnels.onUpgrade(app, asSeenByTheEdge));
  return {
    url: `http://${host}:${port}`,
    async close() {
      await new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        tunnels.closeAll();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      await platform.settled();
      await origins.close();
    },
  };
}
