import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, ManualClock } from '../../src/clock';
import { packComputePackage } from '../../src/compute-package';
import type { FastlyCallEvent } from '../../src/fastly/gateway';
import { type ControlPlaneConfig, type OpenedControlPlane, openControlPlane } from '../../src/lifecycle';
import type { DomainRecord, DomainState, ServiceInput, ServiceRecord } from '../../src/model';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/sim/server';
import { type SimControl, simControl } from './sim-control';

// The lifecycle against the real gateway and the simulator over 127.0.0.1, with a temporary
// database and edge package, and a clock both sides share when the test moves time by hand.

/** A minimal Compute package (the Wasm magic number stands in for a build), written to `<dir>/<name>.tar.gz`. */
export async function makeEdgePackage(dir: string, name = 'edgeplane', description = 'edge app'): Promise<string> {
  const manifest = `manifest_version = 3\nname = "${name}"\ndescription = "${description}"\nlanguage = "javascript"\n`;
  const file = join(dir, `${name}.tar.gz`);
  writeFileSync(file, await packComputePackage(name, { 'fastly.toml': manifest, 'bin/main.wasm': WASM_MAGIC }));
  return file;
}

const WASM_MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export const serviceInput = (name: string): ServiceInput => ({
  name,
  origins: { main: { address: 'lb.toot.example' }, static: { address: 'files.toot.example', hostHeader: 'toot-media.s3.example', pathPrefix: '/toot-media' } },
});

export interface LifecycleHarness extends SimControl {
  sim: RunningSimulator;
  clock: Clock;
  dir: string;
  packagePath: string;
  dbPath: string;
  calls: FastlyCallEvent[];
  opened: OpenedControlPlane;
  /** Ticks (moving a manual clock by `stepMs` between ticks) until the record reaches `state`. */
  tickUntil(service: string, domain: string, state: DomainState, options?: { stepMs?: number; maxTicks?: number }): Promise<DomainRecord>;
  close(): Promise<void>;
}

export async function startLifecycleHarness(
  options: { sim?: SimulatorOptions; manualClock?: boolean; config?: Partial<ControlPlaneConfig>; edgeHints?: boolean } = {},
): Promise<LifecycleHarness> {
  const clock = options.manualClock === false ? undefined : new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
  const sim = await startSimulator({ releaseDelayMs: 120_000, tlsDelayMs: 30_000, ...(clock ? { clock } : {}), ...options.sim });
  const dir = mkdtempSync(join(tmpdir(), 'edgeplane-lifecycle-'));
  const packagePath = await makeEdgePackage(dir);
  const dbPath = join(dir, 'edgeplane.db');
  const calls: FastlyCallEvent[] = [];
  const opened = await openControlPlane({
    fastly: { token: sim.defaultAccount.token, baseUrl: sim.url },
    dbPath,
    retry: { initialMs: 60_000, maxMs: 600_000 },
    packagePath,
    onFastlyCall: (event) => calls.push(event),
    workerId: 'test-worker',
    random: () => 0.5,
    ...(clock ? { clock } : {}),
    // Release hints from the simulator's edge, when asked for.
    ...(options.edgeHints ? { fastlyEdge: sim.edgeAddress } : {}),
    ...options.config,
  });
  const control = simControl(sim);
  const usedClock: Clock = clock ?? { now: () => Date.now() };
  return {
    ...control,
    sim,
    clock: usedClock,
    dir,
    packagePath,
    dbPath,
    calls,
    opened,
    async tickUntil(service, domain, state, { stepMs = 30_000, maxTicks = 200 } = {}) {
      for (let tick = 0; tick < maxTicks; tick++) {
        await opened.worker.tick();
        const record = await opened.controlPlane.getDomain(service, domain);
        if (record.state === state) return record;
        if (clock) clock.advance(stepMs);
        else await new Promise((resolve) => setTimeout(resolve, stepMs));
      }
      const record = await opened.controlPlane.getDomain(service, domain);
      throw new Error(`${domain} did not reach ${state} after ${maxTicks} ticks: ${JSON.stringify(record, null, 2)}`);
    },
    async close() {
      await opened.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates service `toot` and attaches toot.example as its main domain while another account holds
 * it; after the worker's first tick the domain waits for release. Returns the service.
 */
export async function attachHeldDomain(harness: LifecycleHarness): Promise<ServiceRecord> {
  const { controlPlane, worker } = harness.opened;
  const service = await controlPlane.createService(serviceInput('toot'));
  await harness.holdByOtherAccount('toot.example');
  await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
  await worker.tick();
  return service;
}
