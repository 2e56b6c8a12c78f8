import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LongRunning, spawnCli } from './cli-harness';
import { type FastlyCliResult, installFastlyCli, runFastlyCli } from './support/fastly-cli';
import { simControl } from './support/sim-control';
import { validPackage } from './support/sim-package';

// A second real client of the simulator, written by Fastly: the official Fastly CLI (go-fastly
// inside) runs against `edgeplane sim` the commands an operator would, and must get what it gets
// from Fastly. The steps share one simulator and run in order.

let sim: LongRunning;
let apiUrl: string;
let token: string;
let fastly: string;
let dir: string;
const ids: Record<string, string> = {};

const cli = (args: string[], as = token): Promise<FastlyCliResult> => runFastlyCli(fastly, args, { apiUrl, token: as, home: join(dir, 'home'), cwd: dir });

const control = () => simControl({ url: apiUrl });

/** The CLI's output, for a failed expectation to show. */
const shown = (result: FastlyCliResult) => `exit ${result.code}\n${result.stdout}\n${result.stderr}`;

beforeAll(async () => {
  fastly = await installFastlyCli();
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-fastly-cli-'));
  mkdirSync(join(dir, 'home'));
  mkdirSync(join(dir, 'pkg'));
  writeFileSync(join(dir, 'pkg', 'edgeplane.tar.gz'), await validPackage());
  sim = spawnCli(['sim', '--port', '0', '--tls-delay', '1h'], {});
  const listening = await sim.waitForLine((line) => line.includes('listening on') || line.startsWith('(exited'));
  apiUrl = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)?.[1] ?? '';
  token = /API token: (\S+)/.exec(await sim.waitForLine((line) => line.includes('API token:')))?.[1] ?? '';
  expect(apiUrl, sim.output()).not.toBe('');
}, 360_000);

afterAll(async () => {
  await sim?.stop('SIGINT');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the official Fastly CLI against edgeplane sim', () => {
  it('creates a Compute service', async () => {
    const created = await cli(['service', 'create', '--name', 'cli-test', '--type', 'wasm']);
    expect(created.code, shown(created)).toBe(0);
    ids.service = /Created service (\w+)/.exec(created.stdout)?.[1] ?? '';
    expect(ids.service).not.toBe('');
  });

  it("refuses a domain another account holds, in Fastly's words, and adds a free one", async () => {
    const other = await control().createAccount('previous account');
    ids.otherToken = other.token;
    expect((await control().control('POST', '/holds', { domain: 'held.example.org', account: other.customerId })).status).toBe(201);
    const held = await cli(['service', 'domain', 'create', '--service-id', ids.service!, '--version', '1', '--name', 'held.example.org']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain("the Fastly API returned 400 Bad Request: Bad request (Domain 'held.example.org' is owned by another customer)");

    const free = await cli(['service', 'domain', 'create', '--service-id', ids.service!, '--version', '1', '--name', 'www.example.org']);
    expect(free.code, shown(free)).toBe(0);
    expect(free.stdout).toContain(`Created domain www.example.org (service ${ids.service} version 1)`);
  });

  it('creates a backend', async () => {
    const backend = await cli([
      'service',
      'backend',
      'create',
      '--service-id',
      ids.service!,
      '--version',
      '1',
      '--name',
      'main_origin',
      '--address',
      'origin.example.org',
      '--port',
      '443',
      '--use-ssl',
    ]);
    expect(backend.code, shown(backend)).toBe(0);
    expect(backend.stdout).toContain(`Created backend main_origin (service ${ids.service} version 1)`);
  });

  it('creates a config store, writes, upserts and describes an entry, and links the store', async () => {
    const store = await cli(['config-store', 'create', '--name', 'cli-store']);
    expect(store.code, shown(store)).toBe(0);
    ids.store = /Created Config Store 'cli-store' \((\w+)\)/.exec(store.stdout)?.[1] ?? '';
    expect(ids.store).not.toBe('');
    expect((await cli(['config-store-entry', 'create', '--store-id', ids.store, '--key', 'site', '--value', 'one'])).code).toBe(0);
    const upsert = await cli(['config-store-entry', 'update', '--store-id', ids.store, '--key', 'site', '--value', 'two', '--upsert']);
    expect(upsert.code, shown(upsert)).toBe(0);
    const described = await cli(['config-store-entry', 'describe', '--store-id', ids.store, '--key', 'site']);
    expect(described.stdout).toMatch(/Key: site\nValue: two\n/);
    const link = await cli([
      'service',
      'resource-link',
      'create',
      '--service-id',
      ids.service!,
      '--version',
      '1',
      '--resource-id',
      ids.store,
      '--name',
      'edgeplane',
    ]);
    expect(link.code, shown(link)).toBe(0);
    expect(link.stdout).toContain(`Created service resource link "edgeplane"`);
  });

  it('deploys the Compute package: uploads it and activates the version', async () => {
    const deployed = await cli(['compute', 'deploy', '--package', 'pkg/edgeplane.tar.gz', '--service-id', ids.service!, '--version', '1', '--non-interactive']);
    expect(deployed.code, shown(deployed)).toBe(0);
    expect(deployed.stdout).toContain(`Deployed package (service ${ids.service}, version 1)`);
    const state = await control().state();
    const version = state.services.find((service) => service.id === ids.service)?.versions[0];
    expect(version).toMatchObject({
      active: true,
      locked: true,
      package: { size: expect.any(Number) },
      domains: ['www.example.org'],
      backends: ['main_origin'],
    });
  });

  it('clones (Fastly names the service and both versions), validates and activates a version', async () => {
    const cloned = await cli(['service', 'version', 'clone', '--service-id', ids.service!, '--version', '1']);
    expect(cloned.stdout).toContain(`Cloned service ${ids.service} version 1 to version 2`);
    const validated = await cli(['service', 'version', 'validate', '--service-id', ids.service!, '--version', '2']);
    expect(validated.stdout).toContain(`Service ${ids.service} version 2 is valid`);
    const activated = await cli(['service', 'version', 'activate', '--service-id', ids.service!, '--version', '2']);
    expect(activated.stdout).toContain(`Activated service ${ids.service} version 2`);
  });

  it('creates a TLS subscription (go-fastly sends tls_domain) and lists it', async () => {
    const created = await cli(['tls-subscription', 'create', '--domain', 'www.example.org']);
    expect(created.code, shown(created)).toBe(0);
    expect(created.stdout).toMatch(/Created TLS Subscription '\w+' \(Authority: certainly, Common Name: www\.example\.org\)/);
    const listed = await cli(['tls-subscription', 'list']);
    expect(listed.stdout).toMatch(/\w+\s+certainly\s+pending/);
  });

  it('purges by URL, by key (soft) and everything', async () => {
    const url = await cli(['service', 'purge', '--service-id', ids.service!, '--url', 'https://www.example.org/@alice']);
    expect(url.stdout).toContain('Purged URL: https://www.example.org/@alice (soft: false). Status: ok');
    const key = await cli(['service', 'purge', '--service-id', ids.service!, '--key', 'timeline', '--soft']);
    expect(key.stdout).toContain('Purged key: timeline (soft: true). Status: ok');
    const all = await cli(['service', 'purge', '--service-id', ids.service!, '--all', '--non-interactive']);
    expect(all.stdout).toContain('Purge all status: ok');
    const purges = (await control().state()).purges.map(({ kind, soft }) => [kind, soft]);
    expect(purges).toEqual([
      ['url', false],
      ['key', true],
      ['all', false],
    ]);
  });

  it('creates a Domain Management domain', async () => {
    const created = await cli(['domain', 'create', '--fqdn', 'media.example.org']);
    expect(created.code, shown(created)).toBe(0);
    expect(created.stdout).toMatch(/Created domain 'media\.example\.org' \(domain-id: \w+\)/);
  });

  it('is refused deleting the service while a version is active', async () => {
    const refused = await cli(['service', 'delete', '--service-id', ids.service!, '--non-interactive']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Cannot delete service with active version');
  });

  it("cannot see another account's service", async () => {
    const hidden = await cli(['service', 'describe', '--service-id', ids.service!], ids.otherToken);
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toContain(`Couldn't find Service '${ids.service}'`);
  });
});
