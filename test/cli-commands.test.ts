import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../cli/client';
import { DomainRecord, DomainRole, DomainSummary, ServiceRecord } from '../src/model';
import { DEFAULT_SEED, type RunningSimulator, startSimulator } from '../src/sim/server';
import { type LongRunning, printed, runCli, startServe } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';
import { configStoreNamed, type SimControl, serviceNamed, simControl } from './support/sim-control';

// The operator CLI against `edgeplane serve` (API + retry worker, real control plane on SQLite)
// and the Fastly simulator, all over 127.0.0.1.

const API_TOKEN = 'cli-test-api-token-0123456789';
const FAST_RETRY = { EDGEPLANE_RETRY_INITIAL: '200ms', EDGEPLANE_RETRY_MAX: '500ms' };
// A write limit this high spaces the shared probe budget by 144 ms, not 14.4 s: the tests of
// waiting domains are about what the CLI shows, the pace itself is tested in
// test/lifecycle-budget.test.ts. A free domain never waits for the pace (the split test below
// runs its worker with the default limit).
const WRITE_LIMIT = 100_000;

let sim: RunningSimulator;
let control: SimControl;
let dir: string;
let packagePath: string;
let serve: LongRunning & { url: string };
let env: Record<string, string>;

const cli = (...args: string[]) => runCli(args, env);

/** Polls the API (not the CLI: cheaper) until the domain is in `state`; fails with the record last seen. */
async function untilState(service: string, domain: string, state: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const response = await fetch(`${serve.url}/v1/services/${service}/domains/${domain}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      const record = DomainRecord.parse(await response.json());
      expect(record.state, `${domain}: ${JSON.stringify({ state: record.state, attempts: record.attempts, lastError: record.lastError })}`).toBe(state);
    },
    { timeout: 15_000, interval: 100 },
  );
}
const json = <T>(text: string): T => JSON.parse(text) as T;

beforeAll(async () => {
  sim = await startSimulator({ releaseDelayMs: 1000, tlsDelayMs: 200, writeLimitPerHour: WRITE_LIMIT });
  control = simControl(sim);
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-cli-'));
  packagePath = await makeEdgePackage(dir);
  serve = await startServe(['serve', '--poll-interval', '100ms'], {
    FASTLY_API_TOKEN: sim.defaultAccount.token,
    FASTLY_API_URL: sim.url,
    EDGEPLANE_API_TOKEN: API_TOKEN,
    EDGEPLANE_DB: join(dir, 'edgeplane.db'),
    EDGEPLANE_PACKAGE: packagePath,
    EDGEPLANE_PORT: '0',
    EDGEPLANE_WRITE_LIMIT: String(WRITE_LIMIT),
    ...FAST_RETRY,
  });
  env = { EDGEPLANE_URL: serve.url, EDGEPLANE_API_TOKEN: API_TOKEN };
});

afterAll(async () => {
  await serve?.stop();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('edgeplane against a running control plane', () => {
  it('creates, lists and shows a service', async () => {
    const created = await cli('services', 'create', 'toot', '--main-origin', 'lb.toot.example', '--static-origin', 'files-origin.toot.example:8443');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/Service toot: ready/);

    const list = await cli('services', 'list', '--json');
    expect(list.code).toBe(0);
    expect(json<unknown[]>(list.stdout).map((service) => ServiceRecord.parse(service).name)).toEqual(['toot']);

    const shown = ServiceRecord.parse(json((await cli('services', 'show', 'toot', '--json')).stdout));
    // The package is the one the server was configured with (EDGEPLANE_PACKAGE).
    expect(shown).toMatchObject({ status: 'ready', packagePath, origins: { static: { address: 'files-origin.toot.example', port: 8443 } } });
    expect(shown.fastlyServiceId).toBe(serviceNamed(await control.state(), 'toot').id);
  });

  it('attaches a free domain and `wait` follows it to cached with plain lines when not on a terminal', async () => {
    const attached = await cli('domains', 'attach', 'files.toot.example', '--service', 'toot', '--role', 'static');
    expect(attached.code).toBe(0);
    expect(attached.stdout).toMatch(/files\.toot\.example \(static\) on service toot: queued/);

    const waited = await cli('domains', 'wait', 'files.toot.example', '--service', 'toot', '--interval', '200ms', '--timeout', '30s');
    expect(waited.code).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no carriage return or ANSI escape (ESC [) when the output is not a terminal.
    expect(waited.stdout).not.toMatch(/\r|\x1b\[/);
    expect(waited.stdout).toMatch(/files\.toot\.example is cached/);
    const lines = waited.stdout.trim().split('\n');
    expect(lines.at(-2)).toMatch(/^\S+Z {2}files\.toot\.example {2}cached {2}attempts \d+/);
  });

  it('waits through waiting_for_release while another account holds the domain, then reaches cached', async () => {
    await control.holdByOtherAccount('toot.example');
    expect((await cli('domains', 'attach', 'TOOT.example', '-s', 'toot', '--role', 'main')).code).toBe(0);

    // While held, a bounded wait times out (exit 6) and shows the refusal verbatim.
    await untilState('toot', 'toot.example', 'waiting_for_release');
    const held = await cli('domains', 'wait', 'toot.example', '-s', 'toot', '--interval', '200ms', '--timeout', '500ms');
    expect(held.code).toBe(6);
    expect(held.stdout).toMatch(/gave up waiting: toot\.example is still waiting_for_release/);
    expect(held.stdout).toMatch(
      /waiting_for_release {2}attempts \d+ {2}next attempt (in \d+s|due now) {2}last error domain_held_by_other_account: Domain 'toot\.example' is owned by another customer/,
    );

    const status = DomainRecord.parse(json((await cli('domains', 'status', 'toot.example', '-s', 'toot', '--json')).stdout));
    expect(status.state).toBe('waiting_for_release');
    expect(status.lastError?.code).toBe('domain_held_by_other_account');

    expect((await control.control('DELETE', '/holds/toot.example')).status).toBe(200);
    const waited = await cli('domains', 'wait', 'toot.example', '-s', 'toot', '--interval', '200ms', '--timeout', '30s', '--json');
    expect(waited.code).toBe(0);
    const records = waited.stdout
      .trim()
      .split('\n')
      .map((line) => DomainRecord.parse(JSON.parse(line)));
    expect(records.at(-1)).toMatchObject({ state: 'cached', caching: true });
    expect(records.at(-1)!.history.map((event) => event.to)).toContain('waiting_for_release');

    const table = await cli('domains', 'status', '--service', 'toot');
    expect(table.stdout).toMatch(/^DOMAIN\s+ROLE\s+STATE/);
    expect(table.stdout).toMatch(/toot\.example\s+main\s+cached/);
  });

  it('switches caching off and on through the Config Store', async () => {
    const off = await cli('caching', 'off', 'toot.example', '--service', 'toot');
    expect(off).toMatchObject({ code: 0, stdout: 'toot.example: caching off\n' });
    const items = () => control.state().then((state) => configStoreNamed(state, 'edgeplane-toot').items);
    expect((await items())['caching:toot.example']).toBe('off');
    expect((await cli('caching', 'on', 'toot.example', '--service', 'toot')).code).toBe(0);
    expect((await items())['caching:toot.example']).toBe('on');
  });

  it('purges by key, several keys, URL and everything', async () => {
    const results = await Promise.all([
      cli('purge', '--service', 'toot', '--key', 'media'),
      cli('purge', '--service', 'toot', '--key', 'media', '--key', 'static', '--json'),
      cli('purge', '--service', 'toot', '--url', 'https://toot.example/packs/app.js'),
      cli('purge', '--service', 'toot', '--all'),
    ]);
    expect(results.map((result) => result.code)).toEqual([0, 0, 0, 0]);
    expect(results[0]!.stdout).toMatch(/^purged/);
    const { purges } = await control.state();
    expect(purges.map(({ kind, target }) => `${kind} ${target}`).sort()).toEqual([
      'all *',
      'key media',
      'key media',
      'key static',
      'url toot.example/packs/app.js',
    ]);
    // The ids --json prints are Fastly's ids of the two key purges it asked for.
    const ids = json<{ fastlyIds: string[] }>(results[1]!.stdout).fastlyIds;
    expect(ids.map((id) => purges.find((purge) => purge.id === id)?.target).sort()).toEqual(['media', 'static']);
  });

  it('ends at needs_attention with exit 3 when Fastly cannot issue the certificate, and retries on request', async () => {
    expect((await control.control('POST', '/tls-failures', { domain: 'media.toot.example' })).status).toBe(201);
    expect((await cli('domains', 'attach', 'media.toot.example', '-s', 'toot', '--role', 'static')).code).toBe(0);
    const waited = await cli('domains', 'wait', 'media.toot.example', '-s', 'toot', '--interval', '200ms', '--timeout', '30s');
    expect(waited.code).toBe(3);
    expect(waited.stdout).toMatch(/media\.toot\.example needs attention: tls_failed: Fastly could not issue a certificate/);
    expect(waited.stdout).toMatch(/edgeplane domains retry media\.toot\.example --service toot/);

    const retried = await cli('domains', 'retry', 'media.toot.example', '-s', 'toot');
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/^media\.toot\.example: \w+, next attempt due now\.$/m);
    // The retry asks Fastly for a new certificate, which is issued this time.
    await untilState('toot', 'media.toot.example', 'cached');
  });

  it('cancels a waiting domain, and `wait` then exits 4', async () => {
    await control.holdByOtherAccount('held.example');
    expect((await cli('domains', 'attach', 'held.example', '-s', 'toot', '--role', 'alias')).code).toBe(0);
    const cancelled = await cli('domains', 'cancel', 'held.example', '-s', 'toot', '--json');
    expect(DomainRecord.parse(json(cancelled.stdout)).state).toBe('cancelled');
    const waited = await cli('domains', 'wait', 'held.example', '-s', 'toot');
    expect(waited.code).toBe(4);
    expect(waited.stdout).toMatch(/held\.example was cancelled/);
  });

  it('exports metrics from the running control plane', async () => {
    const response = await fetch(`${serve.url}/metrics`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    const text = await response.text();
    expect(text).toMatch(/^edgeplane_domains\{state="cached"\} 3$/m);
    expect(text).toMatch(/^edgeplane_domains\{state="cancelled"\} 1$/m);
    expect(text).toMatch(/^edgeplane_domain_probes_total\{outcome="domain_held_by_other_account"\} [1-9]\d*$/m);
    expect(text).toMatch(/^edgeplane_fastly_calls_total\{operation="activateVersion",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^edgeplane_fastly_ratelimit_remaining \d+$/m);
  });

  it('lists the domains by name a page at a time: all of them, or the first --limit', async () => {
    const names = ['files.toot.example', 'held.example', 'media.toot.example', 'toot.example'];
    const listed = json<Record<string, unknown>[]>((await cli('domains', 'status', '-s', 'toot', '--json')).stdout);
    expect(listed.map((item) => DomainSummary.parse(item).domain)).toEqual(names);
    expect(listed.some((item) => 'history' in item)).toBe(false);

    const firstTwo = await cli('domains', 'status', '-s', 'toot', '--limit', '2');
    expect(firstTwo.code).toBe(0);
    expect(
      firstTwo.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(names.slice(0, 2));
    expect((await cli('domains', 'status', '-s', 'toot', '--limit', '0')).code).toBe(2);

    // Pages of one domain each, followed to the end or cut at the limit.
    const client = new ApiClient({ url: serve.url, token: API_TOKEN });
    expect((await client.listDomains('toot', { pageSize: 1 })).map((item) => item.domain)).toEqual(names);
    expect((await client.listDomains('toot', { pageSize: 1, limit: 3 })).map((item) => item.domain)).toEqual(names.slice(0, 3));
  });
});

describe('errors and usage', () => {
  it('exits 1 with the API problem for an unknown domain, a refused domain name and a wrong token', async () => {
    const [unknown, invalid, wrongToken] = await Promise.all([
      cli('domains', 'status', 'nope.example', '-s', 'toot'),
      cli('domains', 'attach', '*.toot.example', '-s', 'toot', '--role', 'main'),
      runCli(['services', 'list'], { ...env, EDGEPLANE_API_TOKEN: 'wrong-token-0123456789' }),
    ]);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/no .*nope\.example.* \(not_found, HTTP 404\)/);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/is not a valid domain name: it is a wildcard.*\(invalid_input, HTTP 400\)/);
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/unauthorized, HTTP 401/);
  });

  it('exits 5 when the control plane cannot be reached and 2 without a token', async () => {
    const [unreachable, noToken] = await Promise.all([
      runCli(['services', 'list'], { EDGEPLANE_URL: 'http://127.0.0.1:9', EDGEPLANE_API_TOKEN: API_TOKEN }),
      runCli(['services', 'list'], { EDGEPLANE_URL: serve.url }),
    ]);
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toMatch(/cannot reach the control plane at http:\/\/127\.0\.0\.1:9/);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/EDGEPLANE_API_TOKEN: is required/);
  });

  it('exits 2 with a usage message for unknown commands, bad flags and missing options', async () => {
    const cases: [string[], RegExp][] = [
      [['bogus'], /unknown command 'bogus'/],
      [['domains', 'attach', 'toot.example', '--service', 'toot', '--role', 'media'], /argument 'media' is invalid/],
      [['domains', 'status'], /required option '-s, --service <name>' not specified/],
      [['domains', 'wait', 'toot.example', '-s', 'toot', '--timeout', 'soon'], /not a duration/],
      [['purge', '--service', 'toot'], /exactly one of --all, --key K/],
      [['services', 'list', '--colour'], /unknown option '--colour'/],
      // The package is the server's configuration (EDGEPLANE_PACKAGE), not the caller's choice.
      [
        ['services', 'create', 'x', '--main-origin', 'lb.x.example', '--static-origin', 'files.x.example', '--package', '/etc/passwd'],
        /unknown option '--package'/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    for (const [index, result] of results.entries()) {
      expect(result.code, cases[index]![0].join(' ')).toBe(2);
      expect(result.stderr).toMatch(cases[index]![1]);
    }
  });

  it('has --help on every command', async () => {
    const commands = [['services', 'create'], ['domains', 'wait'], ['caching', 'on'], ['start'], ['domains', 'attach'], ['sim']];
    const results = await Promise.all(commands.map((command) => cli(...command, '--help')));
    for (const [index, result] of results.entries()) {
      expect(result.code, commands[index]!.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: edgeplane/);
    }
    // Help is built without loading the schemas and the simulator: it still shows their values.
    const [attach, simulator] = results.slice(4);
    expect(attach!.stdout.replace(/\s+/g, ' ')).toContain(`(choices: ${DomainRole.options.map((role) => `"${role}"`).join(', ')})`);
    expect(simulator!.stdout.replace(/\s+/g, ' ')).toContain(`same ids) (default: ${DEFAULT_SEED})`);
  });
});

describe('serve and worker configuration', () => {
  it('refuses bad configuration at start, naming the variable', async () => {
    const [badPort, noFastly] = await Promise.all([
      runCli(['serve'], { FASTLY_API_TOKEN: 'x', EDGEPLANE_API_TOKEN: API_TOKEN, EDGEPLANE_PORT: 'eighty' }),
      runCli(['worker'], { EDGEPLANE_RETRY_MAX: '10m' }),
    ]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/EDGEPLANE_PORT: must be a port number \(got "eighty"\)/);
    expect(noFastly.code).toBe(2);
    expect(noFastly.stderr).toMatch(/FASTLY_API_TOKEN: is required/);
  });

  it('splits into `serve --no-worker` and `worker` sharing one database', async () => {
    const db = join(dir, 'split.db');
    // The default write limit (1,000 an hour, a probe per 14.4 s): the domain is free, so no probe slot holds it up.
    const fastly = { FASTLY_API_TOKEN: sim.defaultAccount.token, FASTLY_API_URL: sim.url, EDGEPLANE_DB: db, EDGEPLANE_PACKAGE: packagePath, ...FAST_RETRY };
    const api = await startServe(['serve', '--no-worker', '--poll-interval', '100ms'], { ...fastly, EDGEPLANE_API_TOKEN: API_TOKEN, EDGEPLANE_PORT: '0' });
    const splitEnv = { EDGEPLANE_URL: api.url, EDGEPLANE_API_TOKEN: API_TOKEN };
    try {
      await runCli(['services', 'create', 'split', '--main-origin', 'lb.split.example', '--static-origin', 'files.split.example'], splitEnv);
      await runCli(['domains', 'attach', 'split.example', '-s', 'split', '--role', 'main'], splitEnv);
      const before = DomainRecord.parse(json((await runCli(['domains', 'status', 'split.example', '-s', 'split', '--json'], splitEnv)).stdout));
      expect(before.state).toBe('queued');

      const worker = await startServe(['worker', '--poll-interval', '100ms'], fastly);
      const waited = await runCli(['domains', 'wait', 'split.example', '-s', 'split', '--interval', '200ms', '--timeout', '30s'], splitEnv);
      expect(waited.code).toBe(0);
      expect(await worker.stop('SIGTERM')).toBe(0);
      expect(worker.output()).toMatch(/"msg":"stopped"/);
    } finally {
      expect(await api.stop('SIGINT')).toBe(0);
    }
  });
});

describe('secrets', () => {
  it('never print the Fastly token: not in any CLI output, serve log or API answer', async () => {
    const token = sim.defaultAccount.token;
    const answers = await Promise.all(
      ['/v1/services', '/v1/services/toot/domains', '/metrics', '/openapi.json'].map(async (path) =>
        (await fetch(`${serve.url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).text(),
      ),
    );
    expect(await serve.stop('SIGTERM')).toBe(0);
    expect(serve.output()).toMatch(/"msg":"stopped"/);
    const everything = [...printed, serve.output(), ...answers].join('\n');
    expect(everything.length).toBeGreaterThan(10_000);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(API_TOKEN);
  });
});
