import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openControlPlane } from '../src/lifecycle';
import { type ChildResult, runChild } from './support/child-run';
import { CRASH_EXPECTED, type CrashRig, crashOutcome, cutAtEveryCall, startCrashRig, tickUntilFinished } from './support/crash-rig';
import { childEnv } from './support/lifecycle-child';
import { serviceInput } from './support/lifecycle-harness';

// Crash safety: the retry worker runs as a real child process and SIGKILLs itself right after
// its k-th Fastly call on the attach path, for every k; a restarted worker (here, in the test's
// process, with the same worker id) then finishes the job.
// Every run must end cached, with exactly one activation of a version holding the domain, at
// most one draft left, one TLS subscription, and a complete history.

const CHILD = join(import.meta.dirname, 'support', 'worker-crash-child.ts');
const PARALLEL = 4;

let rig: CrashRig;

function runWorker(k: number, crashAfter: number): Promise<ChildResult> {
  return runChild(CHILD, {
    ...childEnv(rig.sim, join(rig.dir, `crash-${k}.db`)),
    SERVICE: `crash-${k}`,
    DOMAIN: `crash-${k}.toot.example`,
    CRASH_AFTER: String(crashAfter),
  });
}

/** Provisions service crash-k and accepts its domain, in this process; the child does the rest. */
async function prepare(k: number): Promise<void> {
  const opened = await openControlPlane({
    fastly: { token: rig.sim.defaultAccount.token, baseUrl: rig.sim.url },
    dbPath: join(rig.dir, `crash-${k}.db`),
    packagePath: rig.packagePath,
  });
  await opened.controlPlane.createService({ ...serviceInput(`crash-${k}`), configStoreName: `crash-${k}` });
  await opened.controlPlane.attachDomain(`crash-${k}`, { domain: `crash-${k}.toot.example`, role: 'main' });
  await opened.close();
}

/** The restarted worker: ticks until the domain is cached (or a generous number of ticks passed). */
async function restart(k: number): Promise<void> {
  const opened = await openControlPlane({
    fastly: { token: rig.sim.defaultAccount.token, baseUrl: rig.sim.url },
    dbPath: join(rig.dir, `crash-${k}.db`),
    retry: { initialMs: 20, maxMs: 200 },
    workerId: 'crash-test-worker',
  });
  try {
    await tickUntilFinished(opened.worker, async () => (await opened.controlPlane.getDomain(`crash-${k}`, `crash-${k}.toot.example`)).state === 'cached');
  } finally {
    await opened.close();
  }
}

async function outcome(k: number) {
  const opened = await openControlPlane({ fastly: { token: rig.sim.defaultAccount.token, baseUrl: rig.sim.url }, dbPath: join(rig.dir, `crash-${k}.db`) });
  const record = await opened.controlPlane.getDomain(`crash-${k}`, `crash-${k}.toot.example`);
  await opened.close();
  return crashOutcome(rig.sim, k, record);
}

beforeAll(async () => {
  rig = await startCrashRig('edgeplane-crash-');
});

afterAll(async () => rig?.close());

describe('a worker killed between any two Fastly calls on the attach path', () => {
  it('always ends cached after a restart, with one activation, at most one draft and a complete history', { timeout: 180_000 }, async () => {
    await cutAtEveryCall({
      runChild: runWorker,
      prepare,
      minCalls: 10,
      parallel: PARALLEL,
      checkUncut: async () => expect(await outcome(0)).toMatchObject(CRASH_EXPECTED),
      finishCut: async (k) => {
        await restart(k);
        const result = await outcome(k);
        expect.soft(result, `crash after call ${k}`).toMatchObject(CRASH_EXPECTED);
        expect.soft(result.drafts, `drafts after crash at call ${k}`).toBeLessThanOrEqual(1);
        expect.soft(result.activeVersion, `recorded version after crash at call ${k}`).toBe(result.fastlyActive);
      },
    });
  });
});
