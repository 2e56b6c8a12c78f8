import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkerOptions } from 'miniflare';
import { openStore } from '../../src/store';
import { buildWorkerBundle, startWorker, workerOptions } from '../../test/support/workerd-worker';
import { benchService, cachedRecord } from '../overhead/idle-domains';

// One scheduled tick of the Worker — the deployable bundle in workerd, the cron handler run
// through Miniflare's trigger — over a local D1 holding the bench service with N domains that
// have finished their lifecycle: what every cron invocation costs in steady state.

/** Nothing here talks to Fastly; a closed port makes any accidental call fail loudly. */
const NO_FASTLY = 'http://127.0.0.1:9';

export interface ScheduledTickResult {
  domains: number;
  ticks: number;
  /** Mean wall time of one scheduled event, from the trigger's request to its answer, after one warm-up event. */
  meanMs: number;
  /** Its slowest tick. */
  maxMs: number;
}

/**
 * Writes the bench service and `count` cached domains into the local D1 kept in `persist`. The
 * Worker creates the database and its schema on its first request; the rows are then written to
 * the SQLite file behind the local D1 with the Node store (the same tables): a thousand writes
 * through Miniflare's binding proxy take minutes on a loaded machine.
 */
async function seedD1(options: WorkerOptions, persist: string, count: number): Promise<void> {
  const first = await startWorker(options, persist);
  const answered = await fetch(`${first.url}/healthz`);
  first.kill();
  await first.exited;
  if (!answered.ok) throw new Error(`the Worker did not answer /healthz: ${answered.status}`);
  const folder = join(persist, 'miniflare-D1DatabaseObject');
  const files = readdirSync(folder).filter((file) => file.endsWith('.sqlite') && file !== 'metadata.sqlite');
  if (files.length !== 1) throw new Error(`expected one local D1 database in ${folder}, found ${files.join(', ') || 'none'}`);
  const store = await openStore(join(folder, files[0]!));
  try {
    await store.putService(benchService());
    for (let index = 0; index < count; index++) await store.saveDomain(cachedRecord(index));
  } finally {
    await store.close();
  }
}

export async function measureScheduledTick({ domains, ticks }: { domains: number; ticks: number }): Promise<ScheduledTickResult> {
  const dir = mkdtempSync(join(tmpdir(), 'edgeplane-bench-worker-'));
  try {
    await buildWorkerBundle(join(dir, 'dist'));
    const options = workerOptions(join(dir, 'dist'), {
      FASTLY_API_TOKEN: 'bench-no-fastly',
      FASTLY_API_URL: NO_FASTLY,
      EDGEPLANE_API_TOKEN: 'bench-worker-token-0123456789',
    });
    await seedD1(options, join(dir, 'd1'), domains);
    const worker = await startWorker(options, join(dir, 'd1'));
    try {
      await worker.scheduled();
      const times: number[] = [];
      for (let tick = 0; tick < ticks; tick++) {
        const started = performance.now();
        await worker.scheduled();
        times.push(performance.now() - started);
      }
      return { domains, ticks, meanMs: times.reduce((sum, ms) => sum + ms, 0) / ticks, maxMs: Math.max(...times) };
    } finally {
      worker.kill();
      await worker.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
