import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { CRASH_EXPECTED, crashOutcome } from './support/crash-rig';
import { type CutProxy, startCutProxy } from './support/cut-proxy';
import { buildWorkerBundle, type RunningWorker, startWorker, workerOptions } from './support/workerd-worker';

// Crash safety of the Worker: a scheduled tick cut off at a Fastly call. The deployable bundle
// runs in workerd with a persisted local D1; a proxy between it and the simulator lets the k-th
// Fastly call of a domain's attach path reach Fastly, then SIGKILLs the Worker's process group
// before the answer comes back. A restarted Worker on the same D1 (the dead tick's leases expire
// after EDGEPLANE_LEASE) runs scheduled ticks until the domain is cached.
// Every run must end cached, with exactly one activation of a version holding the domain, at
// most one draft left, one TLS subscription, and a complete history.
//
// Starting workerd with the Worker costs seconds, so the test cuts at the first call of each kind
// (method and path) on the path, not at every call: the path's calls that it leaves out repeat a
// kind already cut (a second read of the domain list, of the `site` item). Each domain gets its
// own service on the one D1, and each restarted Worker first finishes the domain the previous one
// was cut off on, then is cut off on the next: one start per cut.

const API_TOKEN = 'worker-crash-token-0123456789';

let dir: string;
let sim: RunningSimulator;
let proxy: CutProxy;
let worker: RunningWorker | undefined;
let options: ReturnType<typeof workerOptions>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-worker-crash-'));
  sim = await startSimulator({ releaseDelayMs: 0, tlsDelayMs: 0, writeLimitPerHour: 100_000 });
  proxy = await startCutProxy(sim.url);
  await buildWorkerBundle(join(dir, 'dist'));
  options = workerOptions(join(dir, 'dist'), {
    FASTLY_API_TOKEN: sim.defaultAccount.token,
    FASTLY_API_URL: proxy.url,
    EDGEPLANE_API_TOKEN: API_TOKEN,
    EDGEPLANE_RETRY_INITIAL: '100ms',
    EDGEPLANE_RETRY_MAX: '200ms',
    EDGEPLANE_LEASE: '1s',
  });
}, 300_000);

afterAll(async () => {
  worker?.kill();
  await worker?.exited;
  await proxy?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function restartWorker(): Promise<RunningWorker> {
  worker = await startWorker(options, join(dir, 'd1'));
  return worker;
}

async function domainState(running: RunningWorker, k: number): Promise<any> {
  const response = await running.api('GET', `/v1/services/crash-${k}/domains/crash-${k}.toot.example`, API_TOKEN);
  return response.json();
}

/** Creates service crash-k and attaches its domain through the Worker's API; no tick has run for it yet. */
async function prepare(running: RunningWorker, k: number): Promise<void> {
  const created = await running.api('POST', '/v1/services', API_TOKEN, {
    name: `crash-${k}`,
    configStoreName: `crash-${k}`,
    origins: { main: { address: 'lb.toot.example' }, static: { address: 'files.toot.example' } },
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const attached = await running.api('POST', `/v1/services/crash-${k}/domains`, API_TOKEN, { domain: `crash-${k}.toot.example`, role: 'main' });
  expect(attached.status, await attached.clone().text()).toBe(202);
}

/** Scheduled ticks until the domain of crash-k is cached. */
async function tickUntilCached(running: RunningWorker, k: number): Promise<void> {
  let last: any;
  await vi.waitFor(
    async () => {
      await running.scheduled();
      last = await domainState(running, k);
      if (last.state !== 'cached') throw new Error(`crash-${k}: ${JSON.stringify({ state: last.state, lastError: last.lastError })}`);
    },
    { timeout: 60_000, interval: 100 },
  );
}

/** What the simulator and the Worker's store say about crash-k once it is cached. */
async function outcome(running: RunningWorker, k: number) {
  return crashOutcome(sim, k, await domainState(running, k));
}

/** Finishes crash-k after its cut and checks the invariants. */
async function expectFinished(running: RunningWorker, k: number, kind: string): Promise<void> {
  await tickUntilCached(running, k);
  const result = await outcome(running, k);
  expect.soft(result, `cut at call ${k} (${kind})`).toMatchObject(CRASH_EXPECTED);
  expect.soft(result.drafts, `drafts after a cut at call ${k} (${kind})`).toBeLessThanOrEqual(1);
  expect.soft(result.activeVersion, `recorded version after a cut at call ${k} (${kind})`).toBe(result.fastlyActive);
}

/** The first call of each kind: starting workerd costs seconds, so one cut per kind of Fastly call, not per call. */
function firstOfEachKind(calls: string[]): number[] {
  return calls.flatMap((kind, index) => (calls.indexOf(kind) === index ? [index + 1] : []));
}

describe('a scheduled tick of the Worker cut off at a Fastly call', () => {
  it('always ends cached after a restart, with one activation, at most one draft and a complete history', { timeout: 900_000 }, async () => {
    let running = await restartWorker();
    // The path uncut: the Fastly calls of the ticks that take a domain from attached to cached.
    await prepare(running, 0);
    proxy.reset();
    await tickUntilCached(running, 0);
    const path = [...proxy.calls];
    expect(path.length).toBeGreaterThanOrEqual(10);
    const baseline = await outcome(running, 0);
    expect(baseline).toMatchObject(CRASH_EXPECTED);
    expect(baseline.drafts).toBeLessThanOrEqual(1);

    const cuts = firstOfEachKind(path);
    let previous: number | undefined;
    for (const k of cuts) {
      // One Worker finishes the domain the previous one was cut off on, then is cut off itself.
      if (previous !== undefined) await expectFinished(running, previous, path[previous - 1]!);
      await prepare(running, k);
      proxy.reset();
      let cut = false;
      const cutOff = running;
      proxy.cutAt(k, () => {
        cut = true;
        cutOff.kill();
      });
      // Ticks until the Worker dies at the k-th call: the tick that makes it never returns.
      await expect(
        (async () => {
          for (let tick = 0; tick < 100; tick++) await cutOff.scheduled();
        })(),
      ).rejects.toThrow();
      await cutOff.exited;
      expect(cut, `the Worker was cut off at call ${k} (${path[k - 1]})`).toBe(true);
      expect(proxy.calls, `the calls before the cut follow the uncut path`).toEqual(path.slice(0, k));
      running = await restartWorker();
      previous = k;
    }
    await expectFinished(running, previous!, path[previous! - 1]!);
  });
});
