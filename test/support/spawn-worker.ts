import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnv } from './lifecycle-child';
import type { LifecycleHarness } from './lifecycle-harness';

// Spawns worker-child.ts as a process on the harness's simulator and database, for the tests of
// several worker processes sharing one database.

export interface WorkerProcess {
  /** Resolves once the worker runs; rejects if it exited first. */
  started: Promise<void>;
  /** How many ticks of the worker's loop have ended so far. */
  ticks(): number;
  /** SIGTERMs the worker; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export function spawnWorker(harness: LifecycleHarness, workerId: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'worker-child.ts')], {
    env: { ...process.env, ...childEnv(harness.sim, harness.dbPath), WORKER_ID: workerId, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let ticks = 0;
  let partial = '';
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'started') resolve();
        if (line === 'tick') ticks += 1;
      }
    });
    void exited.then((code) => reject(new Error(`worker ${workerId} exited early (${code})`)));
  });
  return {
    started,
    ticks: () => ticks,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
