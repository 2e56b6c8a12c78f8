import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { WORKER_VARIABLES, workerConfig } from '../../cloudflare/environment';
import { DEFAULT_PACKAGE_PATH, DEFAULT_PORT } from '../../src/config';
import { Duration } from '../../src/duration-schema';
import { isEdgeplaneError } from '../../src/errors';
import { CliExit, ExitCode } from '../exit-codes';
import { ensureEdgePackage } from '../local-stack/edge-package';

// `edgeplane cloudflare dev` runs the Worker under `wrangler dev` with a local D1 and the same
// environment as `serve`, and fires its `scheduled` handler every EDGEPLANE_TICK through
// `/__scheduled`, as a Cron Trigger would. `edgeplane cloudflare deploy` runs `wrangler deploy`.
// Both build the edge package first when it is missing: the Worker bundles it.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');
const DEFAULT_TICK_MS = 30_000;

/** Offline and quiet: no usage metrics, no update check, no fetch of the `cf` object (docs/cloudflare-facts.md). */
function wranglerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
}

function checkedVariables(): Record<string, string> {
  const variables = Object.fromEntries(WORKER_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  try {
    workerConfig(variables);
  } catch (error) {
    if (isEdgeplaneError(error, 'invalid_input')) throw new CliExit(ExitCode.usage, error.detail);
    throw error;
  }
  if (process.env.EDGEPLANE_PACKAGE && resolve(process.env.EDGEPLANE_PACKAGE) !== join(ROOT, DEFAULT_PACKAGE_PATH)) {
    throw new CliExit(
      ExitCode.usage,
      `EDGEPLANE_PACKAGE: the Worker bundles ${DEFAULT_PACKAGE_PATH}; build it there (npm run build:edge) and unset EDGEPLANE_PACKAGE`,
    );
  }
  return variables;
}

function tickInterval(): number {
  const parsed = z
    .object({ EDGEPLANE_TICK: Duration.pipe(z.number().min(100, 'must be at least 100ms')).optional() })
    .safeParse({ EDGEPLANE_TICK: process.env.EDGEPLANE_TICK || undefined });
  if (!parsed.success)
    throw new CliExit(ExitCode.usage, `invalid configuration:\n  EDGEPLANE_TICK: ${parsed.error.issues[0]?.message} (got "${process.env.EDGEPLANE_TICK}")`);
  return parsed.data.EDGEPLANE_TICK ?? DEFAULT_TICK_MS;
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

/** Polls until the Worker answers /healthz, or the child is gone. */
async function waitReady(url: string, child: ChildProcess): Promise<boolean> {
  while (child.exitCode === null && child.signalCode === null) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

export async function cloudflareDev(options: { port?: number; host: string; persistTo: string }): Promise<ExitCode> {
  const variables = checkedVariables();
  const tickMs = tickInterval();
  const port = options.port ?? (process.env.EDGEPLANE_PORT ? Number(process.env.EDGEPLANE_PORT) : DEFAULT_PORT);
  const persistTo = resolve(options.persistTo);
  mkdirSync(persistTo, { recursive: true });
  await ensureEdgePackage(ROOT, join(persistTo, 'build-edge.log'), (line) => console.log(line));
  // Secrets reach wrangler in a file only this user reads, never on a command line.
  const envFile = join(persistTo, '.dev.vars');
  writeFileSync(
    envFile,
    `${Object.entries(variables)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  const args = [
    'dev',
    '--config',
    join(ROOT, 'wrangler.toml'),
    '--port',
    String(port),
    '--ip',
    options.host,
    '--env-file',
    envFile,
    '--persist-to',
    persistTo,
    '--test-scheduled',
    '--show-interactive-dev-session=false',
  ];
  // Its own process group, so that stopping it stops workerd too.
  const child = spawn(WRANGLER, args, { cwd: ROOT, env: wranglerEnv(), stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const stopChild = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
  };
  process.once('exit', stopChild);
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      stopping = true;
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const ready = await Promise.race([waitReady(url, child), stopped.then(() => false)]);
  if (ready) {
    console.log(`edgeplane Worker on ${url} (local D1 in ${persistTo}); the cron handler runs every ${tickMs / 1000}s`);
    // The retry job: one scheduled event at a time, as Cron Triggers fire it.
    void (async () => {
      while (!stopping && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, tickMs));
        if (stopping) break;
        await fetch(`${url}/__scheduled`)
          .then((response) => response.arrayBuffer())
          .catch(() => undefined);
      }
    })();
  }
  const code = await Promise.race([exited(child), stopped.then(() => null)]);
  stopChild();
  await exited(child).catch(() => 0);
  rmSync(envFile, { force: true });
  if (code === null) return ExitCode.ok;
  throw new CliExit(ExitCode.error, `wrangler dev exited (${code})`);
}

export async function cloudflareDeploy(wranglerArgs: string[]): Promise<ExitCode> {
  mkdirSync(join(ROOT, '.edgeplane'), { recursive: true });
  await ensureEdgePackage(ROOT, join(ROOT, '.edgeplane', 'build-edge.log'), (line) => console.log(line));
  const child = spawn(WRANGLER, ['deploy', '--config', join(ROOT, 'wrangler.toml'), ...wranglerArgs], { cwd: ROOT, env: wranglerEnv(), stdio: 'inherit' });
  const code = await exited(child);
  if (code !== 0) throw new CliExit(ExitCode.error, `wrangler deploy exited (${code})`);
  return ExitCode.ok;
}
