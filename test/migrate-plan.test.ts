import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationPlan } from '../src/migrate/model';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { type LongRunning, printed, runCli, startServe } from './cli-harness';
import { type SimControl, simControl } from './support/sim-control';
import { fastlyApis } from './support/sim-harness';

// Issue 12, done when: on the simulator, an old account has an active service with the domains,
// a TLS subscription and a Domain Management record; `migrate plan` lists every claim, in
// Fastly's order, and writes nothing (the simulator's request log has no write from the plan).

const API_TOKEN = 'migrate-plan-test-api-token-0123';
const DOMAINS = ['toot.example', 'files.toot.example'];

let sim: RunningSimulator;
let control: SimControl;
let dir: string;
let serve: LongRunning & { url: string };
let oldAccount: { customerId: string; token: string };
let ids: { service: string; subscription: string; managed: string; store: string };

/** The old account: an edgeplane-made service (backends, Config Store with the site and caching on) holding both domains, a TLS subscription, a Domain Management record. */
async function seedOldAccount(): Promise<void> {
  oldAccount = await control.createAccount('old');
  const fastly = fastlyApis(oldAccount.token, sim.url);
  const service = await fastly.services.createService({ name: 'toot', type: 'vcl' });
  const version = { service_id: service.id, version_id: 1 };
  for (const name of DOMAINS) await fastly.domains.createDomain({ ...version, name });
  await fastly.backends.createBackend({ ...version, name: 'main_origin', address: 'lb.toot.example', port: 443, use_ssl: true });
  await fastly.backends.createBackend({
    ...version,
    name: 'static_origin',
    address: 'media.bucket.example',
    port: 443,
    use_ssl: true,
    override_host: 'media.bucket.example',
  });
  const store = await fastly.configStores.createConfigStore({ name: 'edgeplane-toot' });
  const site = {
    hosts: { 'toot.example': { role: 'main' }, 'files.toot.example': { role: 'static' } },
    canonicalHost: 'toot.example',
    backends: { main: 'main_origin', static: 'static_origin' },
    staticHostHeader: null,
    staticPathPrefix: '/toot',
  };
  for (const [key, value] of [
    ['site', JSON.stringify(site)],
    ['caching:toot.example', 'on'],
    ['caching:files.toot.example', 'on'],
  ] as const) {
    await fastly.configItems.createConfigStoreItem({ config_store_id: store.id, item_key: key, item_value: value });
  }
  await fastly.resources.createResource({ ...version, resource_id: store.id, name: 'edgeplane' });
  await fastly.versions.activateServiceVersion(version);
  const subscription = await fastly.tls.createTlsSub({
    tls_subscription: { data: { type: 'tls_subscription', relationships: { tls_domains: { data: DOMAINS.map((id) => ({ type: 'tls_domain', id })) } } } },
  });
  const managed = await fetch(`${sim.url}/domain-management/v1/domains`, {
    method: 'POST',
    headers: { 'fastly-key': oldAccount.token, 'content-type': 'application/json' },
    body: JSON.stringify({ fqdn: 'toot.example', service_id: service.id }),
  });
  ids = { service: service.id, subscription: subscription.data.id, managed: ((await managed.json()) as { id: string }).id, store: store.id };
}

beforeAll(async () => {
  sim = await startSimulator({ releaseDelayMs: 60_000, tlsDelayMs: 1 });
  control = simControl(sim);
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-migrate-plan-'));
  await seedOldAccount();
  serve = await startServe(['serve', '--poll-interval', '100ms'], {
    FASTLY_API_TOKEN: sim.defaultAccount.token,
    FASTLY_API_URL: sim.url,
    EDGEPLANE_API_TOKEN: API_TOKEN,
    EDGEPLANE_DB: join(dir, 'edgeplane.db'),
    EDGEPLANE_PACKAGE: join(dir, 'no-package.tar.gz'),
    EDGEPLANE_PORT: '0',
  });
});

afterAll(async () => {
  await serve?.stop();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cliEnv = () => ({ EDGEPLANE_URL: serve.url, EDGEPLANE_API_TOKEN: API_TOKEN, EDGEPLANE_FROM_TOKEN: oldAccount.token });
const requestCount = async () => (await control.state()).requests.length;
const requestsSince = async (start: number) => (await control.state()).requests.slice(start);

describe('edgeplane migrate plan (issue 12)', () => {
  it("lists every claim of the old account in Fastly's order, and writes nothing", async () => {
    const start = await requestCount();
    const result = await runCli(['migrate', 'plan', '--service', 'toot', '--json'], cliEnv());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const plan = MigrationPlan.parse(JSON.parse(result.stdout));

    expect(plan.from.customerId).toBe(oldAccount.customerId);
    expect(plan.domains).toEqual([
      { domain: 'toot.example', role: 'main' },
      { domain: 'files.toot.example', role: 'static' },
    ]);
    expect(plan.steps.map((step) => step.action)).toEqual([
      'lower_dns_ttl',
      'create_service',
      'point_dns_at_origin',
      'caching_off',
      'delete_tls_subscription',
      'remove_domains_from_service',
      'delete_managed_domain',
      'attach_domains',
      'point_dns_at_fastly',
    ]);
    expect(plan.steps.find((step) => step.action === 'caching_off')).toMatchObject({ serviceId: ids.service, configStoreId: ids.store, domains: DOMAINS });
    expect(plan.steps.find((step) => step.action === 'delete_tls_subscription')).toMatchObject({ subscriptionId: ids.subscription, force: true });
    expect(plan.steps.find((step) => step.action === 'remove_domains_from_service')).toMatchObject({ serviceId: ids.service, fromVersion: 1, names: DOMAINS });
    expect(plan.steps.find((step) => step.action === 'delete_managed_domain')).toMatchObject({ managedDomainId: ids.managed, fqdn: 'toot.example' });
    // Every claim, each removed by the step that names it, in order.
    expect(plan.claims.map((claim) => [claim.kind, claim.name, claim.removedAtStep])).toEqual([
      ['tls_subscription', 'toot.example', 5],
      ['tls_subscription', 'files.toot.example', 5],
      ['active_version', 'toot.example', 6],
      ['active_version', 'files.toot.example', 6],
      ['managed_domain', 'toot.example', 7],
    ]);
    expect(plan.origins).toEqual({
      main: { address: 'lb.toot.example', port: 443, useTls: true },
      static: { address: 'media.bucket.example', port: 443, useTls: true, pathPrefix: '/toot' },
    });

    // Nothing written: every Fastly call since the plan started is a read.
    const calls = await requestsSince(start);
    expect(calls.filter((call) => call.customerId === oldAccount.customerId).length).toBeGreaterThan(5);
    expect(calls.filter((call) => call.method !== 'GET')).toEqual([]);
    const state = await control.state();
    expect(state.tlsSubscriptions.map((sub) => sub.id)).toEqual([ids.subscription]);
    expect(state.services.find((service) => service.id === ids.service)?.versions).toHaveLength(1);
  });

  it('prints the plan readably: the claims, the numbered steps with their reasons, the DNS changes and the gap', async () => {
    const result = await runCli(['migrate', 'plan', '--service', 'toot'], cliEnv());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Claims on the old account (5):');
    expect(result.stdout).toContain('toot.example, files.toot.example: held by a TLS subscription on the old account; removed at step 5');
    expect(result.stdout).toMatch(
      / 6\. \[old account\] Remove toot\.example, files\.toot\.example from the old service toot: clone version 1, delete them, activate the clone/,
    );
    expect(result.stdout).toContain('Fastly answers "unknown domain" for toot.example');
    expect(result.stdout).toContain('Nothing was changed.');
  });

  it('takes the old token from a header on the API, and never shows it', async () => {
    const response = await fetch(`${serve.url}/v1/services/toot/migrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', 'edgeplane-from-token': oldAccount.token },
      body: JSON.stringify({ dryRun: true, domains: ['files.toot.example'] }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(MigrationPlan.parse(JSON.parse(text)).domains.map(({ domain }) => domain)).toEqual(['files.toot.example']);
    expect(text).not.toContain(oldAccount.token);
    expect(serve.output()).not.toContain(oldAccount.token);
    expect(printed.join('\n')).not.toContain(oldAccount.token);
  });

  it('answers a problem, not a plan, without a token or with one Fastly refuses', async () => {
    const post = (body: unknown) =>
      fetch(`${serve.url}/v1/services/toot/migrations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const missing = await post({ dryRun: true });
    expect([missing.status, ((await missing.json()) as { code: string }).code]).toEqual([400, 'invalid_input']);
    const refused = await post({ dryRun: true, fromToken: 'not-a-token-of-any-account' });
    const problem = (await refused.json()) as { code: string; detail: string };
    expect([refused.status, problem.code]).toEqual([400, 'invalid_input']);
    expect(problem.detail).toContain("Fastly refused the old account's token");
    expect(problem.detail).not.toContain('not-a-token-of-any-account');
    const cli = await runCli(['migrate', 'plan', '--service', 'toot'], { EDGEPLANE_URL: serve.url, EDGEPLANE_API_TOKEN: API_TOKEN });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('EDGEPLANE_FROM_TOKEN');
  });

  it('is documented in the OpenAPI document', async () => {
    const document = (await (await fetch(`${serve.url}/openapi.json`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as {
      paths: Record<string, { post?: { responses: Record<string, unknown> } }>;
    };
    expect(Object.keys(document.paths['/v1/services/{name}/migrations']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '202', '400']));
  });
});
