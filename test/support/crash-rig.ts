import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RetryWorker } from '../../src/control-plane';
import type { DomainRecord } from '../../src/model';
import { type RunningSimulator, startSimulator } from '../../src/sim/server';
import type { ChildResult } from './child-run';
import { makeEdgePackage } from './lifecycle-harness';
import { activeVersion, configStoreNamed, draftsOf, serviceNamed, simControl } from './sim-control';

// What the crash tests run on: a simulator where releases and TLS happen at once (so a path makes
// the same Fastly calls in every run) and the write limit is never reached, a temporary folder
// for the runs' databases, and an edge package. And the driver that cuts a path at each of its calls.

export interface CrashRig {
  sim: RunningSimulator;
  dir: string;
  packagePath: string;
  close(): Promise<void>;
}

export async function startCrashRig(dirPrefix: string): Promise<CrashRig> {
  const sim = await startSimulator({ releaseDelayMs: 0, tlsDelayMs: 0, writeLimitPerHour: 100_000 });
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  return {
    sim,
    dir,
    packagePath: await makeEdgePackage(dir),
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The restarted worker's loop: ticks until `finished` says so, or a generous number of ticks
 * passed (the test's assertions then say what is left undone), with a pause for the short backoffs.
 */
export async function tickUntilFinished(worker: Pick<RetryWorker, 'tick'>, finished: () => Promise<boolean>): Promise<void> {
  for (let tick = 0; tick < 500; tick++) {
    await worker.tick();
    if (await finished()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One crash test's parts, for `cutAtEveryCall`. */
export interface CrashPath {
  /** Runs the child on run k's database; it SIGKILLs itself right after its `crashAfter`-th Fastly call (0: never) and prints `{"calls": n}` when it ends. */
  runChild(k: number, crashAfter: number): Promise<ChildResult>;
  /** Sets up run k before its child starts. */
  prepare?(k: number): Promise<void>;
  /** Fewest Fastly calls the uncut path may make: fewer means it was cut short. */
  minCalls: number;
  /** How many runs go at once. */
  parallel: number;
  /** Checks the uncut run 0. */
  checkUncut(): Promise<void>;
  /** Finishes run k, killed after its k-th call, and checks it. */
  finishCut(k: number): Promise<void>;
}

/**
 * Runs the path uncut (run 0) to count its Fastly calls, then once cut after each of them (run k
 * killed after call k), `parallel` runs at a time; every cut child must have died of its SIGKILL.
 */
export async function cutAtEveryCall(path: CrashPath): Promise<void> {
  await path.prepare?.(0);
  const clean = await path.runChild(0, 0);
  expect(clean.stderr).toBe('');
  expect(clean.code).toBe(0);
  const callsOnPath = (JSON.parse(clean.stdout) as { calls: number }).calls;
  expect(callsOnPath).toBeGreaterThanOrEqual(path.minCalls);
  await path.checkUncut();

  const notKilled: string[] = [];
  const ks = Array.from({ length: callsOnPath }, (_, index) => index + 1);
  for (let start = 0; start < ks.length; start += path.parallel) {
    await Promise.all(
      ks.slice(start, start + path.parallel).map(async (k) => {
        await path.prepare?.(k);
        const crashed = await path.runChild(k, k);
        if (crashed.signal !== 'SIGKILL') notKilled.push(`k=${k}: the child was not killed (${crashed.code}, ${crashed.stderr})`);
        await path.finishCut(k);
      }),
    );
  }
  expect(notKilled).toEqual([]);
}

/** What the simulator and the store say about crash-k's domain once a crashed run is finished. */
export async function crashOutcome(sim: RunningSimulator, k: number, record: Pick<DomainRecord, 'state' | 'history' | 'activeVersion'>) {
  const state = await simControl(sim).state();
  const service = serviceNamed(state, `crash-${k}`);
  const domain = `crash-${k}.toot.example`;
  return {
    state: record.state,
    history: record.history.map((event) => event.to),
    activationsWithDomain: service.versions.filter((v) => v.domains.includes(domain)).reduce((sum, v) => sum + v.activations, 0),
    drafts: draftsOf(service).length,
    tlsSubscriptions: state.tlsSubscriptions.filter((sub) => sub.domains.includes(domain)).length,
    cachingSwitch: configStoreNamed(state, `crash-${k}`).items[`caching:${domain}`],
    activeVersion: record.activeVersion,
    fastlyActive: activeVersion(service)?.number,
  };
}

/** Every crashed run ends like an uncut one: cached, one activation with the domain, one subscription. */
export const CRASH_EXPECTED = {
  state: 'cached',
  history: ['queued', 'attaching', 'active', 'securing', 'cached'],
  activationsWithDomain: 1,
  tlsSubscriptions: 1,
  cachingSwitch: 'on',
};
