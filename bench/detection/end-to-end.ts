import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock';
import { packComputePackage } from '../../src/compute-package';
import { DEFAULT_PACKAGE_PATH } from '../../src/config';
import { openControlPlane } from '../../src/lifecycle';
import { startSimulator, type RunningSimulator } from '../../src/sim/server';
import { seededRandom } from '../random';
import { releaseTimes, trialJitterSeed } from './simulate';

// The same release-detection trials run end to end: the real retry worker, gateway and store,
// against the Fastly simulator over 127.0.0.1, both on one hand-moved clock. It checks the
// simulation (simulate.ts) against the system it models, on the trials' first releases: it is
// too slow for 48 h × 200 trials, so it runs a few trials with releases in the first 2 hours
// (the fast phase and the start of the backoff).

const SERVICE = 'bench';
const POLL_MS = 1000;
const START_MS = Date.parse('2026-01-05T00:00:00Z');

/** The built edge package, or a minimal one (the Wasm magic number stands in for a build). */
async function edgePackage(dir: string): Promise<string> {
  if (existsSync(DEFAULT_PACKAGE_PATH)) return DEFAULT_PACKAGE_PATH;
  const manifest = 'manifest_version = 3\nname = "edgeplane"\nlanguage = "javascript"\n';
  const file = join(dir, 'edgeplane.tar.gz');
  writeFileSync(file, await packComputePackage('edgeplane', { 'fastly.toml': manifest, 'bin/main.wasm': new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) }));
  return file;
}

async function control(sim: RunningSimulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export interface EndToEndTrial {
  /** Release → Fastly accepted the domain, per domain in order. */
  delaysMs: number[];
  /** Attempts to add a domain after the first, as the simulator saw them. */
  probes: number;
  /**
   * The lifecycle's other Fastly writes, for the simulation to spend the same share of Fastly's
   * hourly limit: before the first probe (the service, the first attaches, less the first adds),
   * and per detected domain on average (activation, TLS, the caching switch).
   */
  otherWrites: { setup: number; perAttach: number; perDetection: number };
}

/** One trial: `domains` held domains, released at the trial's release times (scaled into `windowMs`). */
export async function endToEndTrial(options: { seed: number; trial: number; domains: number; windowMs: number }): Promise<EndToEndTrial> {
  const clock = new ManualClock(START_MS);
  const dir = mkdtempSync(join(tmpdir(), 'edgeplane-bench-e2e-'));
  // TLS issues at once: its polls would draw on the jitter source the probes use.
  const sim = await startSimulator({ clock, releaseDelayMs: 0, tlsDelayMs: 0, seed: options.seed });
  const jitter = seededRandom(trialJitterSeed(options.seed, options.trial));
  let adds = 0;
  let writes = 0;
  let writesAtStart = 0;
  const opened = await openControlPlane({
    fastly: { token: sim.defaultAccount.token, baseUrl: sim.url },
    dbPath: join(dir, 'store.db'),
    packagePath: await edgePackage(dir),
    clock,
    random: jitter.next,
    workerId: 'bench',
    onFastlyCall: (event) => {
      if (event.operation === 'addDomain') adds++;
      if (event.method !== 'GET' && event.method !== 'HEAD') writes++;
      if (event.method !== 'GET' && event.method !== 'HEAD' && clock.now() === START_MS) writesAtStart++;
    },
  });
  try {
    const { controlPlane, worker } = opened;
    await controlPlane.createService({ name: SERVICE, origins: { main: { address: 'lb.bench.example' }, static: { address: 'files.bench.example' } } });
    const domains = Array.from({ length: options.domains }, (_, index) => `site${index}.example`);
    const releases = releaseTimes(options.seed, options.trial, options.domains).map((fraction) => START_MS + fraction * options.windowMs);
    const account = (await control(sim, 'POST', '/accounts', { name: 'previous-owner' })) as { customerId: string };
    for (const domain of domains) await control(sim, 'POST', '/holds', { domain, account: account.customerId });
    for (const domain of domains) await controlPlane.attachDomain(SERVICE, { domain, role: 'alias' });
    const released = new Set<string>();
    const detectedAt = new Map<string, number>();
    while (detectedAt.size < domains.length) {
      for (const [index, domain] of domains.entries()) {
        if (!released.has(domain) && clock.now() >= releases[index]!) {
          await control(sim, 'DELETE', `/holds/${domain}`);
          released.add(domain);
        }
      }
      await worker.tick();
      let nextDue = Number.POSITIVE_INFINITY;
      for (const domain of domains) {
        if (detectedAt.has(domain)) continue;
        const record = await controlPlane.getDomain(SERVICE, domain);
        const accepted = record.history.find((event) => event.event === 'released' || (event.to === 'active' && event.from === 'attaching'));
        if (accepted) detectedAt.set(domain, Date.parse(accepted.at));
        else if (record.nextAttemptAt) nextDue = Math.min(nextDue, Date.parse(record.nextAttemptAt));
      }
      // Every release seen: nothing is due, and the clock (shared with the simulator) must stay a time.
      if (detectedAt.size === domains.length) break;
      const nextRelease = Math.min(...domains.filter((domain) => !released.has(domain)).map((domain) => releases[domains.indexOf(domain)]!));
      // The worker polls every second: due work (or work the budget held back) waits for the next poll.
      const next = Math.max(clock.now() + POLL_MS, Math.ceil(Math.min(nextDue, nextRelease) / POLL_MS) * POLL_MS);
      clock.set(next);
    }
    const probes = adds - domains.length;
    return {
      delaysMs: domains.map((domain, index) => detectedAt.get(domain)! - releases[index]!),
      probes,
      otherWrites: { setup: writesAtStart - domains.length, perAttach: 0, perDetection: Math.round((writes - writesAtStart - probes) / domains.length) },
    };
  } finally {
    await opened.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
