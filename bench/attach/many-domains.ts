import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock';
import { packComputePackage } from '../../src/compute-package';
import { openControlPlane } from '../../src/lifecycle';
import { startSimulator } from '../../src/sim/server';
import type { Repository } from '../../src/store';

// Many domains attached at once, none held by another account, on services of one Fastly account
// (a service's edge config holds at most about 190 such hosts, so a large number is spread over
// services of `domainsPerService`): the real lifecycle (worker, gateway) against the simulator
// over 127.0.0.1 on a hand-moved clock, under Fastly's write limit, shared by the whole account.
// Counts the Fastly writes and activations, and the simulated time until every domain is `cached`.

const START_MS = Date.parse('2026-03-02T09:00:00Z');
const HOUR_MS = 60 * 60_000;
/** Simulated time between worker ticks. */
const TICK_MS = 15_000;
const WASM_MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export interface ManyDomainsResult {
  domains: number;
  services: number;
  writeLimitPerHour: number;
  /** Fastly writes (non-GET calls) of the attach, TLS and caching steps, per domain. */
  writesPerDomain: number;
  activationsPerDomain: number;
  /** Simulated seconds from the attach until the last domain was cached; null if not within `maxHours`. */
  secondsUntilAllCached: number | null;
  /** Domains cached when the first hour's writes were spent (the worker waits for the next hour). */
  cachedWithinFirstHour: number;
  /** Wall-clock seconds the run took. */
  wallSeconds: number;
}

/** When the earliest record is due (the worker holds everything back while rate-limited anyway). */
async function nextDueMs(store: Repository): Promise<number> {
  const [first] = await store.listDue(new Date('9999-12-31T00:00:00Z'), 1);
  const record = first ? await store.getDomain(first.service, first.domain) : null;
  return record?.nextAttemptAt ? Date.parse(record.nextAttemptAt) : Number.POSITIVE_INFINITY;
}

export async function measureManyDomains(options: {
  domains: number;
  domainsPerService: number;
  writeLimitPerHour: number;
  maxHours: number;
}): Promise<ManyDomainsResult> {
  const started = performance.now();
  const clock = new ManualClock(START_MS);
  const sim = await startSimulator({ clock, writeLimitPerHour: options.writeLimitPerHour, releaseDelayMs: 0, tlsDelayMs: 30_000 });
  const dir = mkdtempSync(join(tmpdir(), 'edgeplane-bench-attach-'));
  const packagePath = join(dir, 'edgeplane.tar.gz');
  writeFileSync(
    packagePath,
    await packComputePackage('edgeplane', {
      'fastly.toml': 'manifest_version = 3\nname = "edgeplane"\nlanguage = "javascript"\n',
      'bin/main.wasm': WASM_MAGIC,
    }),
  );
  let counting = false;
  let writes = 0;
  let activations = 0;
  const opened = await openControlPlane({
    fastly: { token: sim.defaultAccount.token, baseUrl: sim.url },
    dbPath: join(dir, 'edgeplane.db'),
    packagePath,
    clock,
    random: () => 0.5,
    writeLimitPerHour: options.writeLimitPerHour,
    workerId: 'bench-worker',
    onFastlyCall: (event) => {
      if (!counting || event.method === 'GET') return;
      writes += 1;
      if (event.operation === 'activateVersion' && event.outcome === 'ok') activations += 1;
    },
  });
  try {
    const { controlPlane, worker } = opened;
    const services = Math.ceil(options.domains / options.domainsPerService);
    for (let index = 0; index < services; index++) {
      await controlPlane.createService({
        name: `site${index}`,
        origins: { main: { address: `lb.site${index}.example` }, static: { address: `files.site${index}.example` } },
      });
    }
    const attachedAt = clock.now();
    for (let index = 0; index < options.domains; index++) {
      const service = Math.floor(index / options.domainsPerService);
      await controlPlane.attachDomain(`site${service}`, { domain: `host${index}.site${service}.example`, role: 'static' });
    }
    counting = true;
    let cachedWithinFirstHour = 0;
    let allCachedAt: number | null = null;
    while (clock.now() - attachedAt <= options.maxHours * HOUR_MS) {
      const stepped = await worker.tick();
      const cached = (await opened.store.countDomainsByState()).cached ?? 0;
      if (clock.now() - attachedAt < HOUR_MS) cachedWithinFirstHour = cached;
      if (cached === options.domains) {
        allCachedAt = clock.now();
        break;
      }
      // Nothing was due: jump to the next due record (or the end of a rate-limit pause).
      clock.advance(stepped > 0 ? TICK_MS : Math.min(HOUR_MS, Math.max(TICK_MS, (await nextDueMs(opened.store)) - clock.now())));
    }
    return {
      domains: options.domains,
      services,
      writeLimitPerHour: options.writeLimitPerHour,
      writesPerDomain: writes / options.domains,
      activationsPerDomain: activations / options.domains,
      secondsUntilAllCached: allCachedAt === null ? null : (allCachedAt - attachedAt) / 1000,
      cachedWithinFirstHour,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await opened.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
