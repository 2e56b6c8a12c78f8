import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_PACKAGE_PATH } from '../../src/config';

// The Compute package the service is created with. `npm start` (and the Worker's build) builds it
// on the first run when the project has a build:edge script (js-compute-runtime + edge/pack.ts,
// offline). Two first runs at once (two terminals, or test files in parallel) would write the same
// bin/main.wasm together, one packing the other's half-written file: a lock file next to the
// package lets one build while the others wait for its result.

function hasBuildScript(root: string): boolean {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return typeof manifest.scripts?.['build:edge'] === 'string';
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the build lock; null when another running process holds it (its pid otherwise). */
function takeLock(lock: string): number | null {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return process.pid;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number(readFileSync(lock, 'utf8'));
  if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) return null;
  // Left by a build that was killed: take it over.
  rmSync(lock, { force: true });
  return takeLock(lock);
}

async function build(root: string, path: string, logFile: string): Promise<void> {
  const log = createWriteStream(logFile, { flags: 'a' });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const child = spawn(npm, ['run', 'build:edge'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  log.end();
  if (code !== 0 || !existsSync(path)) throw new Error(`npm run build:edge failed (exit ${code}); see ${logFile}`);
}

/** Returns the package path, building it first when missing; throws with the build log's path when the build fails. */
export async function ensureEdgePackage(root: string, logFile: string, say: (line: string) => void, pollMs = 250): Promise<string> {
  const path = join(root, DEFAULT_PACKAGE_PATH);
  if (existsSync(path)) return path;
  if (!hasBuildScript(root)) throw new Error(`no edge package at ${DEFAULT_PACKAGE_PATH} and no build:edge script to build it`);
  mkdirSync(dirname(path), { recursive: true });
  const lock = `${path}.lock`;
  let waiting = false;
  for (;;) {
    if (takeLock(lock) !== null) {
      try {
        // The build we waited for may have finished just before we took the lock.
        if (!existsSync(path)) {
          say('Building the edge package (first run only, about a minute at most): npm run build:edge');
          await build(root, path, logFile);
        }
        return path;
      } finally {
        rmSync(lock, { force: true });
      }
    }
    if (existsSync(path)) return path;
    if (!waiting) say('Another process is building the edge package; waiting for it');
    waiting = true;
    await sleep(pollMs);
  }
}
