import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { runCli, spawnCli, startServe } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';

// Issue 9, observation 4: `npm start` deleted the database `serve` uses by default, and a
// database did not know which Fastly account it belonged to.

const API_TOKEN = 'data-safety-api-token-0123456789';
const ANY_PORT = ['--api-port', '0', '--sim-port', '0', '--origin-port', '0', '--edge-port', '0'];

let dir: string;
let packagePath: string;
let fastly: RunningSimulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-data-'));
  packagePath = await makeEdgePackage(dir);
  fastly = await startSimulator();
});
afterAll(async () => {
  await fastly.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `serve` in `cwd` on its default database, against the simulator with `token`. */
const serveEnv = (token: string, sim = fastly) => ({
  FASTLY_API_TOKEN: token,
  FASTLY_API_URL: sim.url,
  EDGEPLANE_API_TOKEN: API_TOKEN,
  EDGEPLANE_PACKAGE: packagePath,
});

async function serviceNames(apiUrl: string): Promise<string[]> {
  const answer = await fetch(`${apiUrl}/v1/services`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  return ((await answer.json()) as { services: { name: string }[] }).services.map((service) => service.name);
}

describe('the default database', () => {
  it('keeps a service created with serve through npm start, and serve still finds it', { timeout: 120_000 }, async () => {
    const cwd = join(dir, 'start');
    mkdirSync(cwd);
    const before = await startServe(['serve', '--port', '0'], serveEnv(fastly.defaultAccount.token), { cwd });
    try {
      const created = await fetch(`${before.url}/v1/services`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'mine', origins: { main: { address: 'lb.mine.example' }, static: { address: 'files.mine.example' } } }),
      });
      expect(created.status).toBe(201);
    } finally {
      expect(await before.stop()).toBe(0);
    }
    expect(existsSync(join(cwd, '.edgeplane', 'edgeplane.db'))).toBe(true);

    // npm start, with its defaults (data in .edgeplane) and no Fastly token: the demo.
    const start = spawnCli(['start', '--package', packagePath, '--no-edge', ...ANY_PORT], {}, { cwd });
    try {
      await start.waitForLine((line) => line.startsWith('Press Ctrl-C'));
      expect(start.output()).toMatch(/Press Ctrl-C/);
    } finally {
      expect(await start.stop('SIGINT')).toBe(0);
    }
    expect(existsSync(join(cwd, '.edgeplane', 'demo.db'))).toBe(true);

    const after = await startServe(['serve', '--port', '0'], serveEnv(fastly.defaultAccount.token), { cwd });
    try {
      expect(await serviceNames(after.url)).toEqual(['mine']);
    } finally {
      expect(await after.stop()).toBe(0);
    }
  });

  it('is refused to another Fastly account or API, saying how to override, and rebinds only when asked', { timeout: 120_000 }, async () => {
    const cwd = join(dir, 'accounts');
    mkdirSync(cwd);
    const first = await startServe(['serve', '--port', '0'], serveEnv(fastly.defaultAccount.token), { cwd });
    expect(await first.stop()).toBe(0);

    const other = (await (
      await fetch(`${fastly.url}/__sim/accounts`, { method: 'POST', body: JSON.stringify({ name: 'other' }), headers: { 'content-type': 'application/json' } })
    ).json()) as { customerId: string; token: string };
    const refused = await runCli(['serve', '--port', '0'], serveEnv(other.token), { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `refusing to use the database .edgeplane/edgeplane.db: the database was created for account ${fastly.defaultAccount.customerId}, but the configuration gives account ${other.customerId}`,
    );
    expect(refused.stderr).toContain('--rebind-database');
    expect(refused.stdout).not.toMatch(/"msg":"listening"/);

    // Another Fastly API (a second simulator: the same seed gives the same customer id).
    const elsewhere = await startSimulator();
    try {
      const refusedApi = await runCli(['worker'], serveEnv(elsewhere.defaultAccount.token, elsewhere), { cwd });
      expect(refusedApi.code).toBe(2);
      expect(refusedApi.stderr).toContain(`the database was created for Fastly API ${fastly.url}, but the configuration gives API ${elsewhere.url}`);
    } finally {
      await elsewhere.close();
    }

    const rebound = await startServe(['serve', '--port', '0', '--rebind-database'], serveEnv(other.token), { cwd });
    expect(await rebound.stop()).toBe(0);
    const formerAccount = await runCli(['serve', '--port', '0'], serveEnv(fastly.defaultAccount.token), { cwd });
    expect(formerAccount.code).toBe(2);
    expect(formerAccount.stderr).toContain(`created for account ${other.customerId}`);
  });

  it('names the token Fastly refused at start', { timeout: 60_000 }, async () => {
    const cwd = join(dir, 'bad-token');
    mkdirSync(cwd);
    const refused = await runCli(['serve', '--port', '0'], serveEnv('not-a-token'), { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`edgeplane: Fastly at ${fastly.url} refused FASTLY_API_TOKEN: Provided credentials are missing or invalid`);
  });
});
