import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainRecord } from '../../src/model';
import { type RunningSimulator, startSimulator } from '../../src/sim/server';
import { makeEdgePackage } from './lifecycle-harness';
import { activeVersion, configStoreNamed, draftsOf, serviceNamed, simControl } from './sim-control';

// What the crash tests run on: a simulator where releases and TLS happen at once (so a path makes
// the same Fastly calls in every run) and the write limit is never reached, a temporary folder
// for the runs' databases, and an edge package. And the loop over every crash point.

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

/** Runs `crashAt(k)` for every k from 1 to `callsOnPath`, `parallel` at a time. */
export async function forEachCrashPoint(callsOnPath: number, parallel: number, crashAt: (k: number) => Promise<void>): Promise<void> {
  const ks = Array.from({ length: callsOnPath }, (_, index) => index + 1);
  for (let start = 0; start < ks.length; start += parallel) await Promise.all(ks.slice(start, start + parallel).map(crashAt));
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
