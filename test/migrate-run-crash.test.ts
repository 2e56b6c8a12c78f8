import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControlPlane } from '../src/lifecycle';
import { type ChildResult, runChild } from './support/child-run';
import { type CrashRig, cutAtEveryCall, startCrashRig, tickUntilFinished } from './support/crash-rig';
import { childEnv } from './support/lifecycle-child';
import { serviceInput } from './support/lifecycle-harness';
import { type OldSite, planForOldSite, setUpOldSite } from './support/old-account';
import { activeVersion, type DumpedService, serviceWithId, simControl } from './support/sim-control';

// Crash safety of `migrate run`: the new account's worker runs as a real child process and
// SIGKILLs itself right after its k-th Fastly call of the migration (old account or new), for
// every k; a restarted worker (here, in the test's process, with the same worker id) finishes the
// run (the cut points include deleting the old account's TLS activation and uploaded certificate).
// Every run must end like an uncut one: the domain cached on the new account with one
// activation, one service and one TLS subscription there, and nothing of it left on the old
// account, whose service was activated exactly once for the change.

const CHILD = join(import.meta.dirname, 'support', 'migrate-crash-child.ts');
const PARALLEL = 4;

let rig: CrashRig;
const sites = new Map<number, { site: OldSite; migration: string; oldActivations: number }>();

const name = (k: number) => `mig-${k}`;
const domain = (k: number) => `mig-${k}.toot.example`;
const dbPath = (k: number) => join(rig.dir, `mig-${k}.db`);

const activationsOf = (service: DumpedService) => service.versions.reduce((sum, version) => sum + version.activations, 0);

/** The old account's site for run k, and the migration started (not yet stepped) on the new account's database. */
async function prepare(k: number): Promise<void> {
  const site = await setUpOldSite(rig.sim, {
    packagePath: rig.packagePath,
    service: { ...serviceInput(name(k)), configStoreName: `old-${name(k)}` },
    domains: [{ domain: domain(k), role: 'main' }],
  });
  const oldActivations = activationsOf(serviceWithId(await simControl(rig.sim).state(), site.serviceId));
  const opened = await openControlPlane({
    fastly: { token: rig.sim.defaultAccount.token, baseUrl: rig.sim.url },
    dbPath: dbPath(k),
    packagePath: rig.packagePath,
  });
  // The new account's service exists already, with the old origins: its provisioning has its own
  // crash test (lifecycle-provision-crash), and the plan's create_service step finds it ready.
  await opened.controlPlane.createService({ ...serviceInput(name(k)), configStoreName: `edgeplane-${name(k)}` });
  const run = await opened.migrations.start(planForOldSite(site, name(k), new Date().toISOString()), site.token);
  await opened.close();
  sites.set(k, { site, migration: run.id, oldActivations });
}

function runWorker(k: number, crashAfter: number): Promise<ChildResult> {
  return runChild(CHILD, {
    ...childEnv(rig.sim, dbPath(k)),
    EDGEPLANE_PACKAGE: rig.packagePath,
    SERVICE: name(k),
    MIGRATION: sites.get(k)!.migration,
    CRASH_AFTER: String(crashAfter),
  });
}

/** The restarted worker: ticks until the run is done (or a generous number of ticks passed). */
async function restart(k: number): Promise<void> {
  const opened = await openControlPlane({
    fastly: { token: rig.sim.defaultAccount.token, baseUrl: rig.sim.url },
    dbPath: dbPath(k),
    packagePath: rig.packagePath,
    retry: { initialMs: 20, maxMs: 200 },
    workerId: 'crash-test-worker',
  });
  try {
    await tickUntilFinished(opened.worker, async () => {
      const { status } = await opened.migrations.get(name(k), sites.get(k)!.migration);
      return status !== 'running' && status !== 'waiting';
    });
  } finally {
    await opened.close();
  }
}

/** What the simulator and the store say about run k once it is finished. */
async function outcome(k: number) {
  const { site, migration, oldActivations } = sites.get(k)!;
  const opened = await openControlPlane({ fastly: { token: rig.sim.defaultAccount.token, baseUrl: rig.sim.url }, dbPath: dbPath(k) });
  const run = await opened.migrations.get(name(k), migration);
  const record = await opened.controlPlane.getDomain(name(k), domain(k));
  await opened.close();
  const state = await simControl(rig.sim).state();
  const newServices = state.services.filter((service) => service.customerId === rig.sim.defaultAccount.customerId && service.name === name(k));
  const oldService = serviceWithId(state, site.serviceId);
  const newStore = state.configStores.find((store) => store.customerId === rig.sim.defaultAccount.customerId && store.name === `edgeplane-${name(k)}`);
  return {
    run: run.status,
    stepsDone: run.stepsDone === run.plan.steps.length,
    state: record.state,
    history: record.history.map((event) => event.to),
    newServices: newServices.length,
    activationsWithDomain: newServices
      .flatMap((service) => service.versions)
      .filter((version) => version.domains.includes(domain(k)))
      .reduce((sum, version) => sum + version.activations, 0),
    newTlsSubscriptions: state.tlsSubscriptions.filter((sub) => sub.customerId === rig.sim.defaultAccount.customerId && sub.domains.includes(domain(k))).length,
    cachingSwitch: newStore?.items[`caching:${domain(k)}`],
    oldTlsSubscriptions: state.tlsSubscriptions.filter((sub) => sub.customerId === site.customerId).length,
    oldManagedDomains: state.managedDomains.filter((managed) => managed.customerId === site.customerId).length,
    oldTlsActivations: state.tlsActivations.filter((activation) => activation.customerId === site.customerId).length,
    oldTlsCertificates: state.tlsCertificates.filter((certificate) => certificate.customerId === site.customerId).length,
    oldActiveDomains: activeVersion(oldService)?.domains,
    oldActivationsForTheChange: activationsOf(oldService) - oldActivations,
    oldCachingSwitch: state.configStores.find((store) => store.id === site.configStoreId)?.items[`caching:${domain(k)}`] ?? null,
  };
}

const EXPECTED = {
  run: 'done',
  stepsDone: true,
  state: 'cached',
  history: ['queued', 'attaching', 'active', 'securing', 'cached'],
  newServices: 1,
  activationsWithDomain: 1,
  newTlsSubscriptions: 1,
  cachingSwitch: 'on',
  oldTlsSubscriptions: 0,
  oldManagedDomains: 0,
  oldTlsActivations: 0,
  oldTlsCertificates: 0,
  oldActiveDomains: [],
  oldActivationsForTheChange: 1,
  oldCachingSwitch: null,
};

beforeAll(async () => {
  rig = await startCrashRig('edgeplane-migrate-crash-');
});

afterAll(async () => rig?.close());

describe('a migration whose worker is killed between any two Fastly calls', () => {
  it('always finishes after a restart: cached on the new account, nothing left on the old one, one activation on each side', { timeout: 600_000 }, async () => {
    await cutAtEveryCall({
      runChild: runWorker,
      prepare,
      minCalls: 25,
      parallel: PARALLEL,
      checkUncut: async () => expect(await outcome(0)).toEqual(EXPECTED),
      finishCut: async (k) => {
        await restart(k);
        expect.soft(await outcome(k), `crash after call ${k}`).toEqual(EXPECTED);
      },
    });
  });
});
