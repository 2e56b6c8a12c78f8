import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnv } from './lifecycle-child';
import type { LifecycleHarness } from './lifecycle-harness';

// Starts worker-process.ts as a child on the harness's simulator and database, for the tests of
// several worker processes sharing one database.

export interface WorkerProcess {
  /** Resolves once the worker runs; rejects if it exited first. */
  started: Promise<void>;
  /** SIGTERMs the worker; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export function startWorkerProcess(harness: LifecycleHarness, workerId: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'worker-process.ts')], {
    env: { ...process.env, ...childEnv(harness.sim, harness.dbPath), WORKER_ID: workerId, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
    void exited.then((code) => reject(new Error(`worker ${workerId} exited early (${code})`)));
  });
  return {
    started,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
