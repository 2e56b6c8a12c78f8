import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// Runs the real `edgeplane` executable as a child process, the way an operator does, and keeps
// everything it printed so tests can check that no secret ever appears.

export const CLI = fileURLToPath(new URL('../cli/edgeplane.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Everything any child printed, for the secret check. */
export const printed: string[] = [];

/** The children not yet exited: a test that failed or timed out half-way must not leave a `serve` running. */
const running = new Set<ChildProcess>();

function track<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * SIGTERM to every child still running, so that `start` stops the processes it started. Run after
 * each test file's own afterAll hooks by test/setup/stop-cli-children.ts, not registered here:
 * the benchmark imports this module outside vitest.
 */
export async function stopRunningChildren(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }),
  );
}

/** Only what the test gives, plus PATH: no stray FASTLY_* or EDGEPLANE_* from the environment. */
export function cleanEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
}

/** Where the child runs: `cwd` (default: this process's working directory). */
export interface RunOptions {
  cwd?: string;
}

export function runCli(args: string[], env: Record<string, string>, options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], ...options }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      printed.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface LongRunning {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first stdout line `match` accepts. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnCli(args: string[], env: Record<string, string>, options: RunOptions = {}): LongRunning {
  const child = track(spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], ...options }));
  let output = '';
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      printed.push(output);
      for (const waiter of waiters) waiter.resolve(`(exited with ${code} before the line came)\n${output}`);
      resolve(code);
    }),
  );
  return {
    child,
    output: () => output,
    waitForLine(match) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `edgeplane serve` (or `worker`) and resolves once it logged `listening` (or `worker started`). */
export async function startServe(args: string[], env: Record<string, string>, options: RunOptions = {}): Promise<LongRunning & { url: string }> {
  const serve = spawnCli(args, env, options);
  const line = await serve.waitForLine((candidate) => /"msg":"(listening|worker started)"/.test(candidate) || candidate.startsWith('(exited'));
  if (line.startsWith('(exited')) throw new Error(line);
  const url = (JSON.parse(line) as { url?: string }).url ?? '';
  return { ...serve, url };
}
