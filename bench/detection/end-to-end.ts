import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock';
import { packComputePackage } from '../../src/compute-package';
import { DEFAULT_PACKAGE_PATH } from '../../src/config';
import { openControlPlane } from '../../src/lifecycle';
import { type RunningSimulator, startSimulator } from '../../src/sim/server';
import { seededRandom } from '../random';
import { deactivationLeads, releaseTimes, trialJitterSeed } from './simulate';

// The same release-detection trials run end to end: the real retry worker, gateway and store,
// against the Fastly simulator over 127.0.0.1, both on one hand-moved clock. It checks the
// simulation (simulate.ts) against the system it models, on the trials' first releases: it is
// too slow for 48 h × 200 trials, so it runs a few trials with releases in the first 2 hours
// (the fast phase and the start of the backoff). With release hints the worker reads the
// simulator's Fastly edge, and each domain is held as the simulation has it: the previous owner's
// active service (a hold the edge serves) until its deactivation, and a claim the edge cannot see
// (a Domain Management record of that account) until the release, 0–2 h later.

const SERVICE = 'bench';
const POLL_MS = 1000;
const START_MS = Date.parse('2026-01-05T00:00:00Z');

/** The built edge package, or a minimal one (the Wasm magic number stands in for a build). */
async function edgePackage(dir: string): Promise<string> {
  if (existsSync(DEFAULT_PACKAGE_PATH)) return DEFAULT_PACKAGE_PATH;
  const manifest = 'manifest_version = 3\nname = "edgeplane"\nlanguage = "javascript"\n';
  const file = join(dir, 'edgeplane.tar.gz');
  writeFileSync(
    file,
    await packComputePackage('edgeplane', { 'fastly.toml': manifest, 'bin/main.wasm': new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) }),
  );
  return file;
}

async function call(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${method} ${url}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

const control = (sim: RunningSimulator, method: string, path: string, body?: unknown) => call(`${sim.url}/__sim${path}`, method, body);

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

export interface EndToEndOptions {
  seed: number;
  trial: number;
  domains: number;
  windowMs: number;
  /** The worker reads release hints from the simulator's edge; each old service deactivates 0–2 h before its release. */
  hinted?: boolean;
}

/** One trial: `domains` held domains, released at the trial's release times (scaled into `windowMs`). */
export async function endToEndTrial(options: EndToEndOptions): Promise<EndToEndTrial> {
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
    ...(options.hinted ? { fastlyEdge: sim.edgeAddress } : {}),
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
    // Unhinted, the old service goes with the release; hinted, 0–2 h before it (not before the start).
    const leads = deactivationLeads(options.seed, options.trial, options.domains);
    const deactivations = releases.map((releaseMs, index) => (options.hinted ? Math.max(START_MS, releaseMs - leads[index]!) : releaseMs));
    const account = (await control(sim, 'POST', '/accounts', { name: 'previous-owner' })) as { customerId: string; token: string };
    const asPreviousOwner = { 'fastly-key': account.token };
    const managedIds = new Map<string, string>();
    for (const [index, domain] of domains.entries()) {
      if (deactivations[index]! > START_MS) await control(sim, 'POST', '/holds', { domain, account: account.customerId });
      if (!options.hinted) continue;
      const managed = (await call(`${sim.url}/domain-management/v1/domains`, 'POST', { fqdn: domain }, asPreviousOwner)) as { id: string };
      managedIds.set(domain, managed.id);
    }
    for (const domain of domains) await controlPlane.attachDomain(SERVICE, { domain, role: 'alias' });
    const deactivated = new Set<string>(domains.filter((_, index) => deactivations[index]! <= START_MS));
    const released = new Set<string>();
    const detectedAt = new Map<string, number>();
    while (detectedAt.size < domains.length) {
      for (const [index, domain] of domains.entries()) {
        if (!deactivated.has(domain) && clock.now() >= deactivations[index]!) {
          await control(sim, 'DELETE', `/holds/${domain}`);
          deactivated.add(domain);
        }
        if (!released.has(domain) && clock.now() >= releases[index]!) {
          const managed = managedIds.get(domain);
          if (managed !== undefined) await call(`${sim.url}/domain-management/v1/domains/${managed}`, 'DELETE', undefined, asPreviousOwner);
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
      const nextChange = Math.min(
        ...domains.filter((domain) => !released.has(domain)).map((domain) => releases[domains.indexOf(domain)]!),
        ...domains.filter((domain) => !deactivated.has(domain)).map((domain) => deactivations[domains.indexOf(domain)]!),
      );
      // The worker polls every second: due work (or work the budget held back) waits for the next poll.
      const next = Math.max(clock.now() + POLL_MS, Math.ceil(Math.min(nextDue, nextChange) / POLL_MS) * POLL_MS);
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
