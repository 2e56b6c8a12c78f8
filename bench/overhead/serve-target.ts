import { Hono } from 'hono';
import pino from 'pino';
import { createApiApp } from '../../api/app';
import { createMetrics } from '../../api/metrics';
import { startApiServer } from '../../api/server';
import { openBenchControlPlane } from './idle-domains';

// A server for the throughput benchmark, in its own process so the load generator does not share
// its event loop: `bare` is Hono's hello-world, `api <db>` is the control-plane API on a seeded
// store. Both are served by the API's own Node entry. Prints {"url","token"} once listening.

export const BENCH_API_TOKEN = 'bench-token-0123456789abcdef';

async function main(): Promise<void> {
  const [kind, dbPath] = process.argv.slice(2);
  let close = async () => {};
  let app: { fetch: (request: Request) => Response | Promise<Response> };
  if (kind === 'bare') {
    app = new Hono().get('/', (c) => c.text('Hello Hono!'));
  } else if (kind === 'api' && dbPath) {
    const opened = await openBenchControlPlane(dbPath);
    close = () => opened.close();
    // Logged as in production (level info), to nowhere.
    const logger = pino({ level: 'info' }, pino.destination('/dev/null'));
    app = createApiApp({ controlPlane: opened.controlPlane, apiTokens: [BENCH_API_TOKEN], logger, metrics: createMetrics() });
  } else {
    throw new Error('usage: serve-target.ts bare | api <db>');
  }
  const server = await startApiServer({ app, port: 0 });
  process.stdout.write(`${JSON.stringify({ url: server.url, token: BENCH_API_TOKEN })}\n`);
  process.once('SIGTERM', () => {
    void server
      .close()
      .then(close)
      .then(() => process.exit(0));
  });
}

await main();
