import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceRecord } from '../src/model';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { CLI, type CliResult, cleanEnv, type LongRunning, runCli, startServe } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';
import { configStoreNamed, type SimControl, simControl } from './support/sim-control';

// Issue 16, "small things": what a new user trips on, tried with the real CLI against
// `edgeplane serve` and the Fastly simulator on 127.0.0.1.

const API_TOKEN = 'cli-new-user-api-token-0123456789';

let sim: RunningSimulator;
let control: SimControl;
let dir: string;
let serve: LongRunning & { url: string };
let env: Record<string, string>;

const cli = (...args: string[]) => runCli(args, env);
const json = <T>(text: string): T => JSON.parse(text) as T;

/** Runs a printed command line through the shell, as a user pasting it would. */
function runPrinted(line: string, extraEnv: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // npx must find the project's own bin without asking a registry.
    const child = spawn('sh', ['-c', line], { env: cleanEnv({ ...env, npm_config_offline: 'true', ...extraEnv }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  sim = await startSimulator({ tlsDelayMs: 100 });
  control = simControl(sim);
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-new-user-'));
  serve = await startServe(['serve', '--port', '0', '--poll-interval', '100ms'], {
    FASTLY_API_TOKEN: sim.defaultAccount.token,
    FASTLY_API_URL: sim.url,
    EDGEPLANE_API_TOKEN: API_TOKEN,
    EDGEPLANE_DB: join(dir, 'edgeplane.db'),
    EDGEPLANE_PACKAGE: await makeEdgePackage(dir),
    EDGEPLANE_RETRY_INITIAL: '200ms',
    EDGEPLANE_RETRY_MAX: '500ms',
  });
  env = { EDGEPLANE_URL: serve.url, EDGEPLANE_API_TOKEN: API_TOKEN };
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('edgeplane for a new user', () => {
  it('prints its version, the one in package.json', async () => {
    const { version } = json<{ version: string }>(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const [long, short] = await Promise.all([runCli(['--version'], {}), runCli(['-V'], {})]);
    expect(long).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(short).toEqual(long);
  });

  it('services create --main-domain --www-redirect attaches the main host and www.<main host> as a redirect to it', { timeout: 120_000 }, async () => {
    // Without a main host to put www. in front of, nothing is written.
    const refused = await cli('services', 'create', 'toot', '--main-origin', 'lb.toot.example', '--static-origin', 'files.toot.example', '--www-redirect');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('edgeplane: --www-redirect attaches www.<main host>, and service toot has no main host yet: give it with --main-domain D\n');
    expect((await control.state()).services).toEqual([]);

    const created = await cli(
      'services',
      'create',
      'toot',
      '--main-origin',
      'lb.toot.example',
      '--static-origin',
      'files.toot.example',
      '--main-domain',
      'Toot.Example',
      '--www-redirect',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toContain(
      'Follow them:\n  npx edgeplane domains wait toot.example --service toot\n  npx edgeplane domains wait www.toot.example --service toot\n',
    );

    const shown = ServiceRecord.parse(json((await cli('services', 'show', 'toot', '--json')).stdout));
    expect(shown.domains.map(({ domain, role }) => ({ domain, role }))).toEqual([
      { domain: 'toot.example', role: 'main' },
      { domain: 'www.toot.example', role: 'redirect' },
    ]);
    // Once attached, the edge's site config sends www to the main host.
    const waited = await cli('domains', 'wait', 'www.toot.example', '--service', 'toot', '--interval', '200ms', '--timeout', '30s');
    expect(waited.code).toBe(0);
    const items = configStoreNamed(await control.state(), 'edgeplane-toot').items;
    expect(JSON.parse(items.site!)).toMatchObject({ canonicalHost: 'toot.example', hosts: { 'www.toot.example': { role: 'redirect' } } });

    // Run again, --www-redirect finds the service's main host by itself.
    const again = await cli('services', 'create', 'toot', '--main-origin', 'lb.toot.example', '--static-origin', 'files.toot.example', '--www-redirect');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Follow it:\n  npx edgeplane domains wait www.toot.example --service toot\n');
  });

  it('services show aligns the columns of its domains', async () => {
    await cli('domains', 'attach', 'files.toot.example', '--service', 'toot', '--role', 'static');
    const shown = await cli('services', 'show', 'toot');
    expect(shown.code).toBe(0);
    const rows = shown.stdout
      .split('\n')
      .slice(shown.stdout.split('\n').indexOf('  domains') + 1)
      .filter((line) => line !== '');
    expect(rows[0]).toMatch(/^ {4}DOMAIN +ROLE +STATE$/);
    expect(rows.slice(1).map((row) => row.split(/\s+/)[1])).toEqual(['files.toot.example', 'toot.example', 'www.toot.example']);
    for (const title of ['ROLE', 'STATE']) {
      const column = rows[0]!.indexOf(title);
      for (const row of rows.slice(1)) expect(row.slice(column - 2, column), `${title} in "${row}"`).toMatch(/^ {2}$/);
      for (const row of rows.slice(1)) expect(row[column], `${title} in "${row}"`).toMatch(/\S/);
    }
  });

  it('takes the service from EDGEPLANE_SERVICE when --service is not given; --service wins', async () => {
    const [fromEnv, flagWins, neither] = await Promise.all([
      runCli(['domains', 'status', 'toot.example', '--json'], { ...env, EDGEPLANE_SERVICE: 'toot' }),
      runCli(['domains', 'status', 'toot.example', '--service', 'toot', '--json'], { ...env, EDGEPLANE_SERVICE: 'other' }),
      runCli(['domains', 'status', 'toot.example'], env),
    ]);
    expect(fromEnv.code).toBe(0);
    expect(json<{ service: string }>(fromEnv.stdout).service).toBe('toot');
    expect(flagWins.code).toBe(0);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/required option '-s, --service <name>' not specified/);
  });

  it('explains that service names are lower-case, naming the lower-case name', async () => {
    const [show, status] = await Promise.all([cli('services', 'show', 'Toot'), cli('domains', 'status', '--service', 'TOOT')]);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('service names are lower-case: "Toot" is not one; did you mean "toot"?');
    expect(status.stderr).toContain('service names are lower-case: "TOOT" is not one; did you mean "toot"?');
    // A name that is wrong in other ways gets the rule.
    expect((await cli('services', 'show', 'toot_1')).stderr).toContain('lower-case letters, digits and dashes');
  });

  it('refuses --limit together with a domain instead of ignoring it', async () => {
    const refused = await cli('domains', 'status', 'toot.example', '--service', 'toot', '--limit', '1');
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr: 'edgeplane: --limit applies to the list of domains; with a domain (toot.example) status shows that one record: drop --limit or the domain\n',
    });
  });

  it('prints follow-up commands that run as printed: npx edgeplane, or edgeplane when that is this CLI on PATH', { timeout: 60_000 }, async () => {
    const attached = await cli('domains', 'attach', 'alias.toot.example', '--service', 'toot', '--role', 'alias');
    const printed = /^Follow it: (.+)$/m.exec(attached.stdout)?.[1];
    expect(printed).toBe('npx edgeplane domains wait alias.toot.example --service toot');
    const followed = await runPrinted(`${printed} --timeout 30s --interval 200ms`, {});
    expect(followed.stderr).toBe('');
    expect(followed).toMatchObject({ code: 0, stdout: expect.stringContaining('alias.toot.example is cached') });

    // Installed (npm link, npm install -g): `edgeplane` on PATH is this CLI.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(CLI, join(bin, 'edgeplane'));
    const path = `${bin}${delimiter}${process.env.PATH}`;
    const installed = await runCli(['domains', 'attach', 'www2.toot.example', '--service', 'toot', '--role', 'redirect'], { ...env, PATH: path });
    const plain = /^Follow it: (.+)$/m.exec(installed.stdout)?.[1];
    expect(plain).toBe('edgeplane domains wait www2.toot.example --service toot');
    const followedPlain = await runPrinted(`${plain} --timeout 30s --interval 200ms`, { PATH: path });
    expect(followedPlain).toMatchObject({ code: 0, stdout: expect.stringContaining('www2.toot.example is cached') });
  });
});
