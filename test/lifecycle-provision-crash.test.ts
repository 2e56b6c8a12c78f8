import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControlPlane } from '../src/lifecycle';
import { type ChildResult, runChild } from './support/child-run';
import { type CrashRig, cutAtEveryCall, startCrashRig } from './support/crash-rig';
import { childEnv } from './support/lifecycle-child';
import { simControl } from './support/sim-control';

// A createService killed between any two Fastly calls leaves its service `provisioning`. The
// retry worker (here in the test's process, once the dead process's lease has expired) finishes
// it: one Fastly service, both backends, the config store linked with its `site` key, the
// package, one activation, and the recorded version equal to Fastly's active one.

const CHILD = join(import.meta.dirname, 'support', 'lifecycle-provision-crash-child.ts');
const PARALLEL = 4;
/** Past the dead createService's lease (2 min) and the provisioning retry delay. */
const LATER_MS = 5 * 60_000;

let rig: CrashRig;

function runCreate(k: number, crashAfter: number): Promise<ChildResult> {
  return runChild(CHILD, {
    ...childEnv(rig.sim, join(rig.dir, `provision-${k}.db`)),
    EDGE_PACKAGE: rig.packagePath,
    SERVICE: `provision-${k}`,
    CRASH_AFTER: String(crashAfter),
  });
}

/** A worker on the crashed process's database, ticking at once and again later. */
async function resumeLater(k: number) {
  let offsetMs = 0;
  const opened = await openControlPlane({
    fastly: { token: rig.sim.defaultAccount.token, baseUrl: rig.sim.url },
    dbPath: join(rig.dir, `provision-${k}.db`),
    packagePath: rig.packagePath,
    workerId: 'resuming-worker',
    clock: { now: () => Date.now() + offsetMs },
  });
  try {
    // At once, the dead createService still holds the service's lease: nothing is touched.
    const early = await opened.worker.tick();
    const before = await opened.controlPlane.getService(`provision-${k}`);
    offsetMs = LATER_MS;
    const stepped = await opened.worker.tick();
    const after = await opened.controlPlane.getService(`provision-${k}`);
    // A second tick finds nothing left to do.
    const again = await opened.worker.tick();
    return { early, before: before.status, stepped, after, again };
  } finally {
    await opened.close();
  }
}

async function onFastly(name: string) {
  const state = await simControl(rig.sim).state();
  const services = state.services.filter((s) => s.name === name);
  const versions = services[0]?.versions ?? [];
  const active = versions.find((v) => v.active);
  const store = state.configStores.find((s) => s.name === name);
  return {
    services: services.length,
    backends: active?.backends ?? [],
    linked: active?.resources.some((r) => r.resourceId === store?.id) ?? false,
    hasPackage: active?.package !== null && active?.package !== undefined,
    activations: versions.reduce((sum, v) => sum + v.activations, 0),
    drafts: versions.filter((v) => !v.locked && !v.active).length,
    site: store?.items.site !== undefined,
    activeVersion: active?.number ?? null,
    configStores: state.configStores.filter((s) => s.name === name).length,
  };
}

beforeAll(async () => {
  rig = await startCrashRig('edgeplane-provision-crash-');
});

afterAll(async () => rig?.close());

describe('a createService killed between any two Fastly calls', () => {
  it('is finished by the worker: one service, fully provisioned, activated once', { timeout: 120_000 }, async () => {
    const expected = {
      services: 1,
      backends: ['main_origin', 'static_origin'],
      linked: true,
      hasPackage: true,
      activations: 1,
      drafts: 0,
      site: true,
      configStores: 1,
    };
    await cutAtEveryCall({
      runChild: runCreate,
      minCalls: 10,
      parallel: PARALLEL,
      checkUncut: async () => expect(await onFastly('provision-0')).toMatchObject(expected),
      finishCut: async (k) => {
        const resumed = await resumeLater(k);
        expect(resumed.early, `k=${k}`).toBe(0);
        expect(resumed.before, `k=${k}`).toBe('provisioning');
        expect(resumed.stepped, `k=${k}`).toBe(1);
        expect(resumed.after, `k=${k}`).toMatchObject({ status: 'ready', lastError: null });
        expect(resumed.again, `k=${k}`).toBe(0);
        const fastly = await onFastly(`provision-${k}`);
        expect.soft(fastly, `crash after call ${k}`).toMatchObject(expected);
        expect.soft(resumed.after.activeVersion, `recorded version after crash at call ${k}`).toBe(fastly.activeVersion);
      },
    });
  });
});
