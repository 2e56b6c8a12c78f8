import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packComputePackage } from '../../src/compute-package';
import { type OpenedControlPlane, openControlPlane } from '../../src/lifecycle';
import { startSimulator } from '../../src/sim/server';
import { type PostgresServer, startPostgres } from '../../test/support/postgres-server';
import { openBenchControlPlane, seedIdleDomains } from '../overhead/idle-domains';
import type { BenchSettings } from '../settings';
import { round } from '../summary';
import { printTable } from '../table';

// Replicas on PostgreSQL (issue 14): the reconcile tick over many idle domains on a PostgreSQL
// database, and how many attach steps a second one replica and three replicas make on one
// database against the simulator over 127.0.0.1. The replicas here are control planes in this
// process, each with its own connection pool and worker identity.

const WASM_MAGIC = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export interface ReplicasSection {
  details:
    | {
        idleDomains: number;
        tickMs: { median: number; p95: number };
        attach: Array<{ replicas: number; domains: number; steps: number; seconds: number; stepsPerSecond: number }>;
      }
    | { error: string };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function measureIdleTick(server: PostgresServer, domains: number, ticks: number): Promise<{ median: number; p95: number }> {
  const url = await server.createDatabase();
  await seedIdleDomains(url, domains);
  const opened = await openBenchControlPlane(url);
  try {
    const times: number[] = [];
    for (let tick = 0; tick < ticks; tick++) {
      const started = performance.now();
      await opened.worker.tick();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { median: percentile(times, 0.5), p95: percentile(times, 0.95) };
  } finally {
    await opened.close();
  }
}

/** Attaches `services × perService` unheld domains, then lets `replicas` workers take them all to cached. */
async function measureAttach(server: PostgresServer, dir: string, replicas: number, services: number, perService: number) {
  const sim = await startSimulator({ releaseDelayMs: 0, tlsDelayMs: 0 });
  const url = await server.createDatabase();
  const packagePath = join(dir, 'edgeplane.tar.gz');
  writeFileSync(
    packagePath,
    await packComputePackage('edgeplane', {
      'fastly.toml': 'manifest_version = 3\nname = "edgeplane"\nlanguage = "javascript"\n',
      'bin/main.wasm': WASM_MAGIC,
    }),
  );
  const connection = {
    fastly: { token: sim.defaultAccount.token, baseUrl: sim.url },
    dbPath: url,
    packagePath,
    retry: { initialMs: 50, maxMs: 500 },
    writeLimitPerHour: 1_000_000,
  };
  const opened: OpenedControlPlane[] = [];
  try {
    const setup = await openControlPlane({ ...connection, workerId: 'bench-setup' });
    opened.push(setup);
    const domains: Array<[string, string]> = [];
    for (let s = 0; s < services; s++) {
      const service = `replica-bench-${s}`;
      await setup.controlPlane.createService({
        name: service,
        origins: { main: { address: `lb.${service}.example` }, static: { address: `files.${service}.example` } },
      });
      for (let d = 0; d < perService; d++) {
        const domain = d === 0 ? `${service}.example` : `static${d}.${service}.example`;
        await setup.controlPlane.attachDomain(service, { domain, role: d === 0 ? 'main' : 'static' });
        domains.push([service, domain]);
      }
    }
    const workers = await Promise.all(
      Array.from({ length: replicas }, (_, index) => openControlPlane({ ...connection, workerId: `bench-replica-${index}`, pollIntervalMs: 10 })),
    );
    opened.push(...workers);
    const started = performance.now();
    for (const worker of workers) worker.worker.start();
    const giveUpAt = Date.now() + 300_000;
    for (;;) {
      const counts = await setup.store.countDomainsByState();
      if ((counts.cached ?? 0) === domains.length) break;
      if (Date.now() > giveUpAt) throw new Error(`not all cached after 5 minutes: ${JSON.stringify(counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    let steps = 0;
    for (const [service, domain] of domains) steps += ((await setup.store.getDomain(service, domain))?.history.length ?? 1) - 1;
    return { replicas, domains: domains.length, steps, seconds, stepsPerSecond: steps / seconds };
  } finally {
    await Promise.all(opened.map((control) => control.close()));
    await sim.close();
  }
}

export async function runReplicasSection(settings: BenchSettings): Promise<ReplicasSection> {
  const dir = mkdtempSync(join(tmpdir(), 'edgeplane-bench-replicas-'));
  let server: PostgresServer | undefined;
  try {
    server = await startPostgres();
    const tickMs = await measureIdleTick(server, settings.storeDomains, settings.ticks);
    const [services, perService] = settings.quick ? [4, 5] : [10, 10];
    const attach = [];
    for (const replicas of [1, 3]) attach.push(await measureAttach(server, dir, replicas, services, perService));
    const idle = settings.storeDomains.toLocaleString('en');
    printTable(
      '6. Replicas on PostgreSQL (one database, embedded server on 127.0.0.1)',
      ['what', 'measured'],
      [
        [`reconcile tick, ${idle} idle domains: median`, `${round(tickMs.median, 2)} ms`],
        [`reconcile tick, ${idle} idle domains: p95`, `${round(tickMs.p95, 2)} ms`],
        ...attach.map(
          (run) =>
            [
              `attach steps per second, ${run.replicas} replica${run.replicas === 1 ? '' : 's'} (${run.domains} domains, ${run.steps} steps)`,
              round(run.stepsPerSecond, 1),
            ] as [string, number],
        ),
      ],
    );
    return { details: { idleDomains: settings.storeDomains, tickMs, attach } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    printTable('6. Replicas on PostgreSQL', ['what', 'measured'], [['not measured', message]]);
    return { details: { error: message } };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
