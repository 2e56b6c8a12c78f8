import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator } from '../src/sim/server';
import { runCli, spawnCli } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';

// `npm start` (edgeplane start) with short delays: the whole local stack comes up, plays the seed
// story to cached, serves the demo instance through the local edge, and Ctrl-C stops every part.

const SHORT = [
  '--let-go-after',
  '1s',
  '--release-delay',
  '1s',
  '--tls-delay',
  '200ms',
  '--retry-initial',
  '200ms',
  '--retry-max',
  '500ms',
  '--poll-interval',
  '100ms',
];
const ANY_PORT = ['--api-port', '0', '--sim-port', '0', '--origin-port', '0', '--edge-port', '0'];

let dir: string;
let packagePath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-start-'));
  packagePath = await makeEdgePackage(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const urlIn = (line: string) => /(http:\/\/[\d.:]+)/.exec(line)![1]!;
const tokenIn = (line: string) => line.trim().split(/\s+/)[2]!;

describe('edgeplane start', () => {
  it('comes up with no environment, plays the story from waiting_for_release to cached, and stops every part on Ctrl-C', async () => {
    const dataDir = join(dir, 'story');
    const start = spawnCli(['start', '--package', packagePath, '--data-dir', dataDir, ...SHORT, ...ANY_PORT], {});
    try {
      const apiUrl = urlIn(await start.waitForLine((line) => line.startsWith('  control plane API')));
      const token = tokenIn(await start.waitForLine((line) => line.startsWith('  API token')));
      const edgeUrl = urlIn(await start.waitForLine((line) => line.startsWith('  local edge')));
      // The variables to export include the service, the default of every --service from then on.
      const exportLine = await start.waitForLine((line) => line.includes('export EDGEPLANE_URL'));
      expect(exportLine.trim()).toBe(`export EDGEPLANE_URL=${apiUrl} EDGEPLANE_API_TOKEN=${token} EDGEPLANE_SERVICE=toot`);
      const watchCommand = await start.waitForLine((line) => line.includes('npx edgeplane domains wait'));
      expect(watchCommand.trim()).toBe('npx edgeplane domains wait toot.example --service toot');

      const waited = await runCli(['domains', 'wait', 'toot.example', '--service', 'toot', '--interval', '200ms', '--timeout', '60s'], {
        EDGEPLANE_URL: apiUrl,
        EDGEPLANE_API_TOKEN: token,
      });
      expect(waited.code).toBe(0);
      expect(waited.stdout).toMatch(/toot\.example is cached/);
      // The serve child uploaded the package given to start (passed on as EDGEPLANE_PACKAGE).
      const service = await fetch(`${apiUrl}/v1/services/toot`, { headers: { authorization: `Bearer ${token}` } });
      expect(await service.json()).toMatchObject({ status: 'ready', packagePath });

      const cachedLine = await start.waitForLine((line) => line.startsWith('toot.example is cached.'));
      expect(cachedLine).toBe(`toot.example is cached. Try: curl -i -H 'Host: toot.example' ${edgeUrl}/api/v1/instance`);
      const story = start.output();
      expect(story).toMatch(/toot\.example {2}attaching -> waiting_for_release {2}Fastly refused: Domain 'toot\.example' is owned by another customer/);
      expect(story).toMatch(/the previous account let go of toot\.example/);
      expect(story).toMatch(/toot\.example {2}securing -> cached/);
      expect(story.indexOf('waiting_for_release')).toBeLessThan(story.indexOf('let go of toot.example'));

      // The notifications of the story arrive: signed webhooks and statuses on the demo instance.
      await start.waitForLine((line) => / {2}webhook domain\.cached toot\.example: /.test(line));
      await start.waitForLine((line) => / {2}mastodon @alice \(public\): toot\.example is now served from a network close to you/.test(line));
      const told = start.output();
      expect(told).toMatch(/ {2}webhook domain\.waiting_for_release toot\.example: Fastly refused: Domain 'toot\.example' is owned by another customer/);
      expect(told).toMatch(/ {2}mastodon @alice \(public\): toot\.example is moving to a faster network/);
      expect(told).not.toMatch(/webhook refused/);
      // Each notification is printed after the change it tells of.
      for (const [change, notice] of [
        ['toot.example  attaching -> waiting_for_release', 'webhook domain.waiting_for_release toot.example'],
        ['toot.example  attaching -> active', 'webhook domain.active toot.example'],
        ['toot.example  securing -> cached', 'webhook domain.cached toot.example'],
      ] as const) {
        expect(told.indexOf(change), `"${change}" in:\n${told}`).toBeGreaterThan(-1);
        expect(told.indexOf(notice), `"${notice}" after "${change}" in:\n${told}`).toBeGreaterThan(told.indexOf(change));
      }

      // The demo instance answers through the local edge, which caches once the switch is on.
      // Asks again while the instance answers from the origin; every answer is the instance's, the last a HIT.
      const answers: Array<{ status: number; uri: unknown; cache: string }> = [];
      await vi.waitFor(
        async () => {
          // fetch() may not set Host; undici's request may.
          const response = await request(`${edgeUrl}/api/v1/instance`, { headers: { host: 'toot.example' } });
          const body = (await response.body.json().catch(() => null)) as { uri?: unknown } | null;
          const answer = { status: response.statusCode, uri: body?.uri, cache: String(response.headers['x-cache']) };
          answers.push(answer);
          expect(answer.status === 200 && answer.uri === 'toot.example' && answer.cache !== 'HIT', `answers so far: ${JSON.stringify(answers)}`).toBe(false);
        },
        { timeout: 30_000, interval: 50 },
      );
      expect(answers.at(-1)).toEqual({ status: 200, uri: 'toot.example', cache: 'HIT' });
      expect(answers.filter((answer) => answer.status !== 200 || answer.uri !== 'toot.example')).toEqual([]);
      // A purge through the control plane reaches the local edge, which reads the simulator's purge
      // log at most once a config refresh (1 s): within it, an answer comes from the origin again.
      const purged = await runCli(['purge', '--service', 'toot', '--all'], { EDGEPLANE_URL: apiUrl, EDGEPLANE_API_TOKEN: token });
      expect(purged.stdout).toMatch(/purged all/);
      await vi.waitFor(
        async () => {
          const afterPurge = await request(`${edgeUrl}/api/v1/instance`, { headers: { host: 'toot.example' } });
          await afterPurge.body.dump();
          expect(afterPurge.headers['x-cache']).toBe('MISS');
        },
        { timeout: 10_000, interval: 100 },
      );

      expect(await start.stop('SIGINT')).toBe(0);
      await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();
      await expect(fetch(`${edgeUrl}/`)).rejects.toThrow();
      expect(readFileSync(join(dataDir, 'serve.log'), 'utf8')).toMatch(/"msg":"stopped"/);
      expect(existsSync(join(dataDir, 'demo.db'))).toBe(true);
    } finally {
      await start.stop('SIGKILL');
    }
  }, 120_000);

  it('--exit-when-cached exits 0 at cached and offers no curl: the edge is gone once it exits', async () => {
    const result = await runCli(['start', '--package', packagePath, '--data-dir', join(dir, 'once'), ...SHORT, ...ANY_PORT, '--exit-when-cached'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^toot\.example is cached\.$/m);
    expect(result.stdout).not.toContain('Try: curl');
  }, 120_000);

  it('leaves no control plane running when the start command itself is killed outright', async () => {
    const fastly = await startSimulator();
    const dataDir = join(dir, 'killed');
    const start = spawnCli(['start', '--package', packagePath, '--data-dir', dataDir, ...ANY_PORT], {
      FASTLY_API_TOKEN: fastly.defaultAccount.token,
      FASTLY_API_URL: fastly.url,
    });
    try {
      await start.waitForLine((line) => line.startsWith('Press Ctrl-C'));
      // serve writes its log asynchronously: the line may land just after start's banner.
      const listening = await vi.waitFor(
        () => {
          const log = readFileSync(join(dataDir, 'serve.log'), 'utf8');
          const line = log.split('\n').find((entry) => entry.includes('"msg":"listening"'));
          expect(line, `no "listening" line in serve.log yet:\n${log}`).toBeDefined();
          return line!;
        },
        { timeout: 10_000, interval: 100 },
      );
      const servePid = (JSON.parse(listening) as { pid: number }).pid;
      const isRunning = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      expect(isRunning(servePid)).toBe(true);

      await start.stop('SIGKILL');
      // The serve child sees its IPC channel close, drains and exits; poll until it has.
      try {
        await vi.waitFor(() => expect(isRunning(servePid), `the serve child (pid ${servePid}) still runs after its parent was killed`).toBe(false), {
          timeout: 10_000,
          interval: 100,
        });
      } finally {
        if (isRunning(servePid)) process.kill(servePid, 'SIGKILL');
      }
    } finally {
      await start.stop('SIGKILL');
      await fastly.close();
    }
  });

  it('with FASTLY_API_TOKEN set, serves against that Fastly and seeds nothing', async () => {
    const fastly = await startSimulator();
    const start = spawnCli(['start', '--package', packagePath, '--data-dir', join(dir, 'real'), ...ANY_PORT], {
      FASTLY_API_TOKEN: fastly.defaultAccount.token,
      FASTLY_API_URL: fastly.url,
    });
    try {
      const apiUrl = urlIn(await start.waitForLine((line) => line.startsWith('  control plane API')));
      const token = tokenIn(await start.waitForLine((line) => line.startsWith('  API token')));
      await start.waitForLine((line) => line.startsWith('Press Ctrl-C'));
      expect(start.output()).toMatch(new RegExp(`against Fastly \\(${fastly.url}\\)`));
      expect(start.output()).toMatch(/Nothing was seeded/);
      expect(start.output()).not.toContain(fastly.defaultAccount.token);

      const services = await fetch(`${apiUrl}/v1/services`, { headers: { authorization: `Bearer ${token}` } });
      expect(await services.json()).toEqual({ services: [] });
      const state = (await (await fetch(`${fastly.url}/__sim/state`)).json()) as { accounts: unknown[]; services: unknown[]; holds: object };
      expect(state.accounts).toHaveLength(1);
      expect(state.services).toEqual([]);
      expect(state.holds).toEqual({});

      expect(await start.stop('SIGTERM')).toBe(0);
    } finally {
      await start.stop('SIGKILL');
      await fastly.close();
    }
  });
});
