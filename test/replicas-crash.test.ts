import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { type LongRunning, startServe } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';
import { type PostgresServer, startPostgres } from './support/postgres-server';
import { draftsOf, type SimControl, serviceNamed, simControl } from './support/sim-control';

// Three `edgeplane serve` replicas on one PostgreSQL database, 50 domains (a seeded choice of them
// held by another account and let go at seeded times), and replicas SIGKILLed and restarted at
// seeded times throughout. Whatever the interleaving: every domain ends cached, the version that
// first held a domain was activated once, no service has more than one draft, and the probes of
// held domains stay within the budget.

const API_TOKEN = 'replicas-crash-api-token-0123456789';
const SEED = 14;
const SERVICES = 10;
/** Each service's five domains: one main, two aliases, two for its static files. */
const HOSTS: Array<[prefix: string, role: 'main' | 'alias' | 'static']> = [
  ['', 'main'],
  ['www.', 'alias'],
  ['alt.', 'alias'],
  ['files.', 'static'],
  ['media.', 'static'],
];
const HELD = 12;
const KILLS = 4;
/**
 * Fastly's write limit, told to the simulator and the replicas; the probes may use a quarter of
 * it, paced evenly (one probe per 0.36 s here), so released domains are found within seconds.
 */
const WRITE_LIMIT = 40_000;
const PROBE_CAPACITY = WRITE_LIMIT / 4;
/** The shared budget's pace: one probe per this many milliseconds, across all replicas. */
const PROBE_SPACING_MS = 3_600_000 / PROBE_CAPACITY;

let postgres: PostgresServer;
let sim: RunningSimulator;
let control: SimControl;
let dir: string;
let env: Record<string, string>;
const replicas: Array<LongRunning & { url: string }> = [];
/** Per replica slot, its kill and restart in progress. */
const restarts: Array<Promise<void>> = [Promise.resolve(), Promise.resolve(), Promise.resolve()];

beforeAll(async () => {
  [postgres, sim] = await Promise.all([startPostgres(), startSimulator({ releaseDelayMs: 0, tlsDelayMs: 0, writeLimitPerHour: WRITE_LIMIT })]);
  control = simControl(sim);
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-replicas-'));
  env = {
    FASTLY_API_TOKEN: sim.defaultAccount.token,
    FASTLY_API_URL: sim.url,
    EDGEPLANE_API_TOKEN: API_TOKEN,
    EDGEPLANE_DB: await postgres.createDatabase(),
    EDGEPLANE_PACKAGE: await makeEdgePackage(dir),
    EDGEPLANE_PORT: '0',
    EDGEPLANE_RETRY_INITIAL: '200ms',
    EDGEPLANE_RETRY_MAX: '1s',
    // A replica killed for good would hold its services this long; a restarted one frees them at once.
    EDGEPLANE_LEASE: '3s',
    EDGEPLANE_WRITE_LIMIT: String(WRITE_LIMIT),
  };
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(restarts);
  await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
  await Promise.all([postgres?.stop(), sim?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const startReplica = () => startServe(['serve', '--poll-interval', '100ms'], env);

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('three replicas killed and restarted at random end every domain cached, each change activated once', { timeout: 300_000 }, async () => {
  const generator = xoroshiro128plus(SEED);
  const random = () => uniformFloat64(generator);
  const services = Array.from({ length: SERVICES }, (_, index) => `site${index}`);
  const domains = services.flatMap((service) => HOSTS.map(([prefix, role]) => ({ service, domain: `${prefix}${service}.example`, role })));
  const held = domains.filter(() => random() < HELD / domains.length).map((entry) => entry.domain);
  for (const domain of held) await control.holdByOtherAccount(domain);

  replicas.push(...(await Promise.all([startReplica(), startReplica(), startReplica()])));
  // Each service is created and given its domains through one replica, the services in parallel.
  const attachedAt = Date.now();
  const answers = await Promise.all(
    services.map(async (service, index) => {
      const url = replicas[index % 3]!.url;
      const statuses = [
        (
          await call(url, 'POST', '/v1/services', {
            name: service,
            origins: { main: { address: `lb.${service}.example` }, static: { address: `store.${service}.example` } },
          })
        ).status,
      ];
      for (const { domain, role } of domains.filter((entry) => entry.service === service))
        statuses.push((await call(url, 'POST', `/v1/services/${service}/domains`, { domain, role })).status);
      return statuses;
    }),
  );
  expect(answers).toEqual(services.map(() => [201, 202, 202, 202, 202, 202]));

  // Chaos: the held domains are let go, and replicas killed and restarted, at seeded times.
  const events = [
    ...held.map((domain) => ({ at: random() * 6_000, act: async () => void (await control.control('DELETE', `/holds/${domain}`)) })),
    ...Array.from({ length: KILLS }, () => {
      const [at, slot] = [random() * 6_000, Math.floor(random() * 3)];
      // A replica's kill and restart wait for its previous one; other events do not wait for them.
      const act = async () => {
        restarts[slot] = restarts[slot]!.then(async () => {
          await replicas[slot]!.stop('SIGKILL');
          replicas[slot] = await startReplica();
        });
      };
      return { at, act };
    }),
  ].sort((a, b) => a.at - b.at);
  const started = Date.now();
  for (const event of events) {
    await sleep(Math.max(0, started + event.at - Date.now()));
    await event.act();
  }
  await Promise.all(restarts);

  let last = '';
  await vi.waitFor(
    async () => {
      const states = await Promise.all(
        domains.map(async ({ service, domain }) => (await call(replicas[0]!.url, 'GET', `/v1/services/${service}/domains/${domain}`)).body.state as string),
      );
      last = domains
        .map(({ domain }, index) => `${domain}=${states[index]}`)
        .filter((entry) => !entry.endsWith('=cached'))
        .join(' ');
      if (last !== '') throw new Error(`not cached yet: ${last}`);
    },
    { timeout: 90_000, interval: 500 },
  );
  const exits = await Promise.all(replicas.map((replica) => replica.stop('SIGTERM')));
  expect(exits).toEqual([0, 0, 0]);

  const state = await control.state();
  for (const { service, domain } of domains) {
    const dumped = serviceNamed(state, service);
    // The version that first held the domain was activated exactly once: no change went out twice.
    expect(dumped.versions.find((version) => version.domains.includes(domain))?.activations, domain).toBe(1);
    expect(draftsOf(dumped).length, service).toBeLessThanOrEqual(1);
    expect(
      state.tlsSubscriptions.filter((sub) => sub.domains.includes(domain)),
      domain,
    ).toHaveLength(1);
  }
  // Every refusal of a held domain after its first is a probe: the replicas together kept the
  // budget's pace (at most one probe per spacing since the attach), not one pace each.
  const refusals = state.requests.filter((request) => request.method === 'POST' && /\/domain$/.test(request.path) && request.status >= 400).length;
  expect(refusals - held.length).toBeLessThanOrEqual(Math.ceil((Date.now() - attachedAt) / PROBE_SPACING_MS) + 1);
});
