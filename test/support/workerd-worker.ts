import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { runCli } from '../cli-harness';

// The Worker as it is deployed — the bundle of `edgeplane cloudflare deploy -- --dry-run` with
// wrangler.toml's settings — run in workerd in a child process group, with a persisted local D1.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HOST = join(import.meta.dirname, 'workerd-host.js');

/** Builds the deployable bundle into `outdir` (the edge package is built first when missing). */
export async function buildWorkerBundle(outdir: string): Promise<void> {
  const built = await runCli(['cloudflare', 'deploy', '--', '--dry-run', '--outdir', outdir], {});
  if (built.code !== 0) throw new Error(`the Worker did not build:\n${built.stdout}${built.stderr}`);
}

/** Miniflare's options for the bundle in `bundleDir`: wrangler.toml's, as wrangler reads them, with `variables` added. */
export function workerOptions(bundleDir: string, variables: Record<string, string>): WorkerOptions {
  const { compatibilityDate, compatibilityFlags, modulesRules, bindings, d1Databases } = unstable_getMiniflareWorkerOptions(
    join(ROOT, 'wrangler.toml'),
  ).workerOptions;
  return {
    name: 'edgeplane',
    modules: true,
    scriptPath: join(bundleDir, 'worker.js'),
    modulesRoot: bundleDir,
    compatibilityDate,
    compatibilityFlags,
    modulesRules,
    bindings: { ...bindings, ...variables },
    d1Databases,
  } as WorkerOptions;
}

export interface RunningWorker {
  url: string;
  /** Runs the cron handler once; rejects if the Worker failed or was cut off. */
  scheduled(): Promise<void>;
  /** A request to the Worker's API with the bearer token. */
  api(method: string, path: string, token: string, body?: unknown): Promise<Response>;
  /** SIGKILL to the whole process group: Miniflare's host and workerd die at once. */
  kill(): void;
  /** Resolves once the host process is gone. */
  exited: Promise<void>;
}

export async function startWorker(options: WorkerOptions, d1Persist: string): Promise<RunningWorker> {
  const child = spawn(process.execPath, [HOST], {
    env: { ...process.env, WORKER_OPTIONS: JSON.stringify(options), D1_PERSIST: d1Persist },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(() => undefined);
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([once(lines, 'line').then(([line]) => line as string), exited.then(() => null)]);
  lines.on('line', (line) => (output += `${line}\n`));
  if (first === null) throw new Error(`the Worker did not start:\n${output}`);
  const url = (JSON.parse(first) as { url: string }).url;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  };
  return {
    url,
    async scheduled() {
      const response = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`);
      const text = await response.text();
      if (!response.ok) throw new Error(`scheduled: ${response.status} ${text}`);
    },
    api: (method, path, token, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    kill,
    exited,
  };
}
