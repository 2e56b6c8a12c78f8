import { ManualClock } from '../../src/clock';
import { type OpenedControlPlane, openControlPlane } from '../../src/lifecycle';
import { moveTo, newDomainRecord } from '../../src/lifecycle/record';
import type { DomainRecord } from '../../src/model';
import type { StoredService } from '../../src/store';

// A control plane whose store holds one service with many domains that have finished their
// lifecycle (`cached`, nothing due): what the API lists and the retry job skips in steady state.
// The records are written through the store with the lifecycle's own record helpers; running
// 10,000 attaches against the simulator would measure the simulator, not the tick.

export const BENCH_SERVICE = 'bench';
/** Nothing here talks to Fastly; a closed port makes any accidental call fail loudly. */
const NO_FASTLY = { token: 'bench-no-fastly', baseUrl: 'http://127.0.0.1:9' };
const START_MS = Date.parse('2026-01-05T12:00:00Z');

export function openBenchControlPlane(dbPath: string, clock = new ManualClock(START_MS)): Promise<OpenedControlPlane> {
  return openControlPlane({ fastly: NO_FASTLY, dbPath, clock });
}

/** The `index`-th domain of the bench service, `cached` with nothing due. */
export function cachedRecord(index: number): DomainRecord {
  const domain = `site${index}.example`;
  let nowMs = START_MS + index * 1000;
  let record = newDomainRecord({ service: BENCH_SERVICE, domain, role: index % 2 === 0 ? 'main' : 'static', move: false, nowMs });
  for (const [to, event] of [
    ['attaching', 'attach_started'],
    ['active', 'activated'],
    ['securing', 'tls_requested'],
    ['cached', 'caching_on'],
  ] as const) {
    nowMs += 30_000;
    record = moveTo(record, to, event, `${domain}: ${event.replace('_', ' ')}`, nowMs);
  }
  return { ...record, attempts: 1, lastAttemptAt: new Date(START_MS).toISOString(), nextAttemptAt: null, activeVersion: 2, caching: true };
}

/** Writes the service and `count` cached domains into the store at `dbPath`. */
export async function seedIdleDomains(dbPath: string, count: number): Promise<void> {
  const opened = await openBenchControlPlane(dbPath);
  try {
    await opened.store.putService(benchService());
    for (let index = 0; index < count; index++) await opened.store.saveDomain(cachedRecord(index));
  } finally {
    await opened.close();
  }
}

/** The bench service, as the store keeps it once provisioned. */
export function benchService(): StoredService {
  const at = new Date(START_MS).toISOString();
  return {
    name: BENCH_SERVICE,
    fastlyServiceId: 'benchsvc0000000000000',
    activeVersion: 2,
    configStoreId: 'benchstore000000000000',
    configStoreName: 'edgeplane',
    origins: {
      main: { address: 'lb.bench.example', port: 443, useTls: true },
      static: { address: 'files-origin.bench.example', port: 443, useTls: true },
    },
    status: 'ready',
    lastError: null,
    packagePath: null,
    createdAt: at,
    updatedAt: at,
  };
}
