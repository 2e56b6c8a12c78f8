import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import pino from 'pino';
import { createApiApp } from '../../api/app';
import { createMetrics } from '../../api/metrics';
import { startApiServer } from '../../api/server';
import { openBenchControlPlane } from './idle-domains';

// A server for the throughput benchmark, in its own process so the load generator does not share
// its event loop: `bare` is Hono's hello-world, `answer <file>` is bare Hono answering every GET
// with the bytes of that file (an API answer saved once: what sending those bytes costs without
// the API), `api <db>` is the control-plane API on a seeded store. All are served by the API's own
// Node entry. Prints {"url","token"} once listening.

export const BENCH_API_TOKEN = 'bench-token-0123456789abcdef';

async function main(): Promise<void> {
  const [kind, path] = process.argv.slice(2);
  let close = async () => {};
  let app: { fetch: (request: Request) => Response | Promise<Response> };
  if (kind === 'bare') {
    app = new Hono().get('/', (c) => c.text('Hello Hono!'));
  } else if (kind === 'answer' && path) {
    const answer = new Uint8Array(readFileSync(path));
    app = new Hono().get('*', (c) => c.body(answer, 200, { 'content-type': 'application/json' }));
  } else if (kind === 'api' && path) {
    const opened = await openBenchControlPlane(path);
    close = () => opened.close();
    // Logged as in production (level info), to nowhere.
    const logger = pino({ level: 'info' }, pino.destination('/dev/null'));
    app = createApiApp({ controlPlane: opened.controlPlane, apiTokens: [BENCH_API_TOKEN], logger, metrics: createMetrics() });
  } else {
    throw new Error('usage: serve-target.ts bare | answer <file> | api <db>');
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
