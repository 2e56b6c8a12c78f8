import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { isEdgeplaneError } from '../src/errors';
import { type OpenedControlPlane, openControlPlane } from '../src/lifecycle';
import type { DomainRecord, DomainRole, ServiceInput } from '../src/model';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { SITE_CONFIG_KEY } from '../src/site-config';
import { SiteConfigSchema } from '../src/site-config-schema';
import { makeEdgePackage } from './support/lifecycle-harness';
import { draftsOf, simControl } from './support/sim-control';
import { type ServiceEdge, startServiceEdge } from './support/site-edges';

// Model-based test of the site model: random sequences of operator actions against the control
// plane, the simulator over 127.0.0.1 and a local edge per service, with a serve restart among
// them. After every step: every host whose record says `cached` is served by its own service's
// edge from its own service's config; an action on one service changed no other service's config;
// no record was lost; at most one draft per service on Fastly; at most one main host per service.

const SERVICES = ['alpha', 'beta'] as const;
type ServiceName = (typeof SERVICES)[number];
const HOSTS = ['a.example', 'www.a.example', 'files.a.example', 'b.example', 'www.b.example'];
const ROLES: DomainRole[] = ['main', 'alias', 'redirect', 'static'];
/** The Fastly-side changes of a step are finished after this many worker ticks (30 s apart). */
const SETTLE_TICKS = 12;

const serviceInput = (name: ServiceName): ServiceInput => ({
  name,
  origins: {
    main: { address: `lb.${name}.example` },
    static: { address: `files-origin.${name}.example`, hostHeader: `${name}-media.s3.example`, pathPrefix: `/${name}` },
  },
});

/** One run's world: a simulator, one database, the control plane over it, an edge per service. */
class World {
  readonly created = new Set<ServiceName>();
  /** Every (service, domain) the control plane accepted: none may go missing. */
  readonly accepted = new Set<string>();
  opened!: OpenedControlPlane;
  private constructor(
    readonly sim: RunningSimulator,
    readonly clock: ManualClock,
    readonly dir: string,
    readonly packagePath: string,
    readonly edges: Record<ServiceName, ServiceEdge>,
  ) {}

  static async start(): Promise<World> {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    const sim = await startSimulator({ clock, releaseDelayMs: 120_000, tlsDelayMs: 30_000 });
    const dir = mkdtempSync(join(tmpdir(), 'edgeplane-model-'));
    const packagePath = await makeEdgePackage(dir);
    const token = sim.defaultAccount.token;
    const edges = { alpha: await startServiceEdge(sim, token, 'alpha'), beta: await startServiceEdge(sim, token, 'beta') };
    const world = new World(sim, clock, dir, packagePath, edges);
    await world.open();
    return world;
  }

  async open(): Promise<void> {
    this.opened = await openControlPlane({
      fastly: { token: this.sim.defaultAccount.token, baseUrl: this.sim.url },
      dbPath: join(this.dir, 'edgeplane.db'),
      retry: { initialMs: 60_000, maxMs: 600_000 },
      packagePath: this.packagePath,
      workerId: 'model-worker',
      random: () => 0.5,
      clock: this.clock,
    });
  }

  /** serve stops and starts again on the same database. */
  async restart(): Promise<void> {
    await this.opened.close();
    await this.open();
  }

  async settle(): Promise<void> {
    for (let tick = 0; tick < SETTLE_TICKS; tick++) {
      await this.opened.worker.tick();
      this.clock.advance(30_000);
    }
  }

  async records(service: ServiceName): Promise<DomainRecord[]> {
    if (!this.created.has(service)) return [];
    const page = await this.opened.controlPlane.listDomains(service, { limit: 1000 });
    return page.items as DomainRecord[];
  }

  /** Each service's Config Store items, by service. */
  async stores(): Promise<Record<string, Record<string, string>>> {
    const state = await simControl(this.sim).state();
    const byId = new Map(state.configStores.map((store) => [store.id, store.items]));
    const stores: Record<string, Record<string, string>> = {};
    for (const name of this.created) {
      const service = await this.opened.controlPlane.getService(name);
      stores[name] = service.configStoreId ? (byId.get(service.configStoreId) ?? {}) : {};
    }
    return stores;
  }

  async drafts(): Promise<Record<string, number>> {
    const state = await simControl(this.sim).state();
    return Object.fromEntries(state.services.map((service) => [service.name, draftsOf(service).length]));
  }

  async close(): Promise<void> {
    await this.opened.close();
    for (const edge of Object.values(this.edges)) await edge.close();
    await this.sim.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An operator's refusal (4xx answer) is a fine outcome of a random action; anything else is not. */
async function operator(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (isEdgeplaneError(error) && error.status >= 400 && error.status < 500) return false;
    throw error;
  }
}

type Action =
  | { kind: 'create'; service: ServiceName }
  | { kind: 'attach'; service: ServiceName; host: string; role: DomainRole }
  /** `pick` chooses among the hosts the control plane accepted, so these act on real records. */
  | { kind: 'cancel'; pick: number }
  | { kind: 'retry'; pick: number }
  | { kind: 'caching'; pick: number; on: boolean }
  | { kind: 'restart' };

const service = fc.constantFrom(...SERVICES);
const host = fc.constantFrom(...HOSTS);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('create' as const), service }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('attach' as const), service, host, role: fc.constantFrom(...ROLES) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('caching' as const), pick: fc.nat(), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
);

/** The accepted (service, host) that `pick` names, or null before any was accepted. */
function picked(world: World, pick: number): { service: ServiceName; host: string } | null {
  const keys = [...world.accepted].sort();
  if (keys.length === 0) return null;
  const [service, host] = keys[pick % keys.length]!.split('/') as [ServiceName, string];
  return { service, host };
}

/** The service an action is aimed at; null for a restart (or a pick with nothing to pick). */
function targetOf(world: World, step: Action): ServiceName | null {
  if (step.kind === 'restart') return null;
  if ('service' in step) return step.service;
  return picked(world, step.pick)?.service ?? null;
}

async function perform(world: World, step: Action): Promise<void> {
  const { controlPlane } = world.opened;
  const target = 'pick' in step ? picked(world, step.pick) : null;
  if ('pick' in step && target === null) return;
  switch (step.kind) {
    case 'create':
      await controlPlane.createService(serviceInput(step.service));
      world.created.add(step.service);
      return;
    case 'attach':
      if (await operator(controlPlane.attachDomain(step.service, { domain: step.host, role: step.role }))) world.accepted.add(`${step.service}/${step.host}`);
      return;
    case 'cancel':
      await operator(controlPlane.removeDomain(target!.service, target!.host));
      return;
    case 'retry':
      await operator(controlPlane.retryDomain(target!.service, target!.host));
      return;
    case 'caching':
      await operator(controlPlane.setCaching(target!.service, target!.host, step.on));
      return;
    case 'restart':
      await world.restart();
  }
}

/** What the edge of `service` must answer for a cached host of that service. */
async function expectServed(world: World, name: ServiceName, record: DomainRecord, site: ReturnType<typeof SiteConfigSchema.parse>): Promise<void> {
  const answer = await world.edges[name].get(record.domain, '/about');
  const where = `${record.domain} (${record.role}, cached on ${name})`;
  if (record.role === 'redirect') {
    if (site.canonicalHost === null) expect(answer.status, where).toBe(421);
    else {
      expect(site.hosts[site.canonicalHost]?.role, where).toBe('main');
      expect(answer, where).toMatchObject({ status: 301, location: `https://${site.canonicalHost}/about` });
    }
    return;
  }
  expect(answer.status, where).toBe(200);
  expect(answer.forwarded, where).toEqual(
    record.role === 'static' ? { host: `${name}-media.s3.example`, path: `/${name}/about` } : { host: record.domain, path: '/about' },
  );
}

const EMPTY_SITE = '{"hosts":{},"canonicalHost":null}';

async function checkInvariants(world: World, touched: ServiceName | null, step: Action, before: Record<string, Record<string, string>>): Promise<void> {
  const stores = await world.stores();
  const sites = Object.fromEntries(SERVICES.map((name) => [name, SiteConfigSchema.parse(JSON.parse(stores[name]?.[SITE_CONFIG_KEY] ?? EMPTY_SITE))]));
  for (const name of world.created) {
    // An action on one service leaves every other service's config as it was.
    if (touched !== null && touched !== name && before[name] !== undefined)
      expect(stores[name], `${name}'s config after ${JSON.stringify(step)}`).toEqual(before[name]);
    const site = sites[name]!;
    const records = await world.records(name);
    const mains = records.filter((record) => record.role === 'main' && record.state !== 'cancelled');
    expect(mains.length, `main hosts of ${name}`).toBeLessThanOrEqual(1);
    expect(Object.values(site.hosts).filter((entry) => entry.role === 'main').length, `main hosts in ${name}'s site`).toBeLessThanOrEqual(1);
    for (const record of records.filter((r) => r.state === 'cached')) {
      expect(site.hosts[record.domain], `${record.domain} in ${name}'s site`).toEqual({ role: record.role });
      expect(record.conditions.find((c) => c.type === 'Ready')?.status, `${record.domain} Ready`).toBe('True');
      await expectServed(world, name, record, site);
    }
    // A host of this service is served by no other service's edge (unless that one has it too).
    for (const other of SERVICES.filter((s) => s !== name)) {
      for (const served of Object.keys(site.hosts).filter((h) => !Object.hasOwn(sites[other]!.hosts, h))) {
        expect((await world.edges[other].get(served)).status, `${served} at ${other}'s edge`).toBe(421);
      }
    }
  }
  // No record lost.
  for (const key of world.accepted) {
    const [name, domain] = key.split('/') as [ServiceName, string];
    expect(
      (await world.records(name)).map((record) => record.domain),
      `record ${key}`,
    ).toContain(domain);
  }
  // At most one draft per service on Fastly.
  for (const [name, drafts] of Object.entries(await world.drafts())) expect(drafts, `drafts of ${name}`).toBeLessThanOrEqual(1);
}

describe('the site model under random operator actions', () => {
  let worlds: World[] = [];
  beforeAll(() => {
    worlds = [];
  });
  afterAll(async () => {
    for (const world of worlds) await world.close().catch(() => {});
  });

  it('keeps every cached host served from its own service config, isolation, records and one draft', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 4, maxLength: 12 }), async (steps) => {
        const world = await World.start();
        worlds.push(world);
        try {
          // Every run starts with alpha, so there is something to act on.
          for (const step of [{ kind: 'create', service: 'alpha' } as Action, ...steps]) {
            const before = await world.stores();
            const touched = targetOf(world, step);
            await perform(world, step);
            await world.settle();
            await checkInvariants(world, step.kind === 'restart' ? null : touched, step, before);
          }
        } finally {
          await world.close();
          worlds = worlds.filter((w) => w !== world);
        }
      }),
      { numRuns: Number(process.env.EDGEPLANE_MODEL_RUNS ?? 8), seed: Number(process.env.EDGEPLANE_MODEL_SEED ?? 20260301), endOnFailure: true },
    );
  }, 600_000);
});
