import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { runCli, startServe } from './cli-harness';

// Issue 16, "clear failures": each failure says which part failed and what to do.

const API_TOKEN = 'cli-failures-api-token-0123456789';

let dir: string;
let fastly: RunningSimulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-failures-'));
  fastly = await startSimulator();
});
afterAll(async () => {
  await fastly.close();
  rmSync(dir, { recursive: true, force: true });
});

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

describe('a port in use', () => {
  it('names the part and the flag that moves it, for sim and for each part of start', { timeout: 60_000 }, async () => {
    const { port, server } = await busyPort();
    try {
      const sim = await runCli(['sim', '--port', String(port)], {});
      expect(sim.code).toBe(2);
      expect(sim.stderr).toBe(
        `edgeplane: the Fastly simulator cannot listen on 127.0.0.1:${port}: the port is already in use; choose another port with --port\n`,
      );

      const start = await runCli(
        ['start', '--data-dir', join(dir, 'start'), '--package', join(dir, 'none.tar.gz'), '--sim-port', '0', '--api-port', String(port)],
        {},
      );
      expect(start.code).toBe(2);
      expect(start.stderr).toContain(
        `edgeplane: the control plane API cannot listen on 127.0.0.1:${port}: the port is already in use; choose another port with --api-port`,
      );
    } finally {
      server.close();
    }
  });
});

describe('EDGEPLANE_URL pointing at something else', () => {
  it('says it is not an edgeplane API', { timeout: 30_000 }, async () => {
    const other = createHttpServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const listed = await runCli(['services', 'list'], { EDGEPLANE_URL: url, EDGEPLANE_API_TOKEN: API_TOKEN });
      expect(listed.code).toBe(5);
      expect(listed.stderr).toBe(
        `edgeplane: ${url} is not an edgeplane control plane API (it answered GET /v1/services with 404 text/html); check EDGEPLANE_URL\n`,
      );
    } finally {
      other.close();
    }
  });
});

describe('a missing edge package', () => {
  it('is warned about at start; services create exits 3 and attaching to that service is refused saying why', { timeout: 90_000 }, async () => {
    const missing = join(dir, 'nope.tar.gz');
    const serve = await startServe(['serve', '--port', '0'], {
      FASTLY_API_TOKEN: fastly.defaultAccount.token,
      FASTLY_API_URL: fastly.url,
      EDGEPLANE_API_TOKEN: API_TOKEN,
      EDGEPLANE_DB: join(dir, 'package.db'),
      EDGEPLANE_PACKAGE: missing,
    });
    try {
      const warning = await serve.waitForLine((line) => line.includes('"level":40'));
      expect(JSON.parse(warning)).toMatchObject({ package: missing, msg: expect.stringContaining(`the edge package ${missing} does not exist`) });

      const client = { EDGEPLANE_URL: serve.url, EDGEPLANE_API_TOKEN: API_TOKEN };
      const created = await runCli(['services', 'create', 'toot', '--main-origin', 'lb.toot.example', '--static-origin', 'files.toot.example'], client);
      expect(created.code).toBe(3);
      expect(created.stderr).toMatch(/^edgeplane: service toot needs attention: .*nope\.tar\.gz/);

      const attached = await runCli(['domains', 'attach', 'toot.example', '--service', 'toot', '--role', 'main'], client);
      expect(attached.code).toBe(1);
      expect(attached.stderr).toMatch(
        /service "toot" needs attention: .*nope\.tar\.gz.*run `edgeplane services create toot` again before attaching domains \(conflict, HTTP 409\)/,
      );
    } finally {
      await serve.stop();
    }
  });
});
