import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { type LongRunning, runCli, spawnCli } from './cli-harness';
import { freePort } from './support/free-port';
import { simControl } from './support/sim-control';

// The control plane as a Cloudflare Worker, run the way an operator runs it: `edgeplane
// cloudflare deploy -- --dry-run` builds the Worker, and `edgeplane cloudflare dev` (wrangler dev,
// local D1, the cron handler fired every EDGEPLANE_TICK) plays the seed story against the
// simulator over HTTP, driven by the CLI through EDGEPLANE_URL.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_TOKEN = 'worker-test-token-0123456789';

let dir: string;
let sim: RunningSimulator;
let dev: LongRunning | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-worker-'));
  sim = await startSimulator({ releaseDelayMs: 2_000, tlsDelayMs: 500 });
});

afterAll(async () => {
  await dev?.stop();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the control plane as a Cloudflare Worker', () => {
  it('builds for deployment with the edge package bundled as a module', { timeout: 300_000 }, async () => {
    const outdir = join(dir, 'dist');
    const deploy = await runCli(['cloudflare', 'deploy', '--', '--dry-run', '--outdir', outdir], {});
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain('--dry-run: exiting now.');
    expect(existsSync(join(outdir, 'worker.js'))).toBe(true);
    const bundled = readdirSync(outdir).find((file) => file.endsWith('edgeplane.tar.gz'));
    expect(bundled).toBeDefined();
    expect(readFileSync(join(outdir, bundled!)).equals(readFileSync(join(ROOT, 'pkg', 'edgeplane.tar.gz')))).toBe(true);
  });

  it('plays the seed story: waits while another account holds the domain, then reaches cached through scheduled ticks', { timeout: 300_000 }, async () => {
    const port = await freePort();
    dev = spawnCli(['cloudflare', 'dev', '--port', String(port), '--persist-to', join(dir, 'state')], {
      FASTLY_API_TOKEN: sim.defaultAccount.token,
      FASTLY_API_URL: sim.url,
      EDGEPLANE_API_TOKEN: API_TOKEN,
      EDGEPLANE_RETRY_INITIAL: '1s',
      EDGEPLANE_RETRY_MAX: '2s',
      EDGEPLANE_TICK: '1s',
    });
    const ready = await dev.waitForLine((line) => line.startsWith('edgeplane Worker on') || line.startsWith('(exited'));
    expect(ready, dev.output()).toContain(`http://127.0.0.1:${port}`);
    const client = { EDGEPLANE_URL: `http://127.0.0.1:${port}`, EDGEPLANE_API_TOKEN: API_TOKEN };

    const created = await runCli(['services', 'create', 'toot', '--main-origin', 'lb.toot.example', '--static-origin', 'files.toot.example', '--json'], client);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'toot', status: 'ready', activeVersion: 1 });

    await simControl(sim).holdByOtherAccount('toot.example');
    expect((await runCli(['domains', 'attach', 'toot.example', '--service', 'toot', '--role', 'main'], client)).code).toBe(0);
    let record: unknown;
    await vi.waitFor(
      async () => {
        record = JSON.parse((await runCli(['domains', 'status', 'toot.example', '--service', 'toot', '--json'], client)).stdout);
        expect(record).toMatchObject({ state: 'waiting_for_release' });
      },
      { timeout: 60_000, interval: 500 },
    );
    expect(record).toMatchObject({
      state: 'waiting_for_release',
      lastError: { code: 'domain_held_by_other_account', detail: "Domain 'toot.example' is owned by another customer" },
    });

    await simControl(sim).control('DELETE', '/holds/toot.example');
    const waited = await runCli(['domains', 'wait', 'toot.example', '--service', 'toot', '--timeout', '120s'], client);
    expect(waited.code, waited.stdout + waited.stderr).toBe(0);
    const cached = JSON.parse((await runCli(['domains', 'status', 'toot.example', '--service', 'toot', '--json'], client)).stdout);
    expect(cached).toMatchObject({ state: 'cached', caching: true });
    expect(cached.history.map((event: { to: string }) => event.to)).toEqual([
      'queued',
      'attaching',
      'waiting_for_release',
      'attaching',
      'active',
      'securing',
      'cached',
    ]);
    expect(dev.output()).toContain('scheduled tick');

    expect(await dev.stop()).toBe(0);
    dev = undefined;
  });
});
