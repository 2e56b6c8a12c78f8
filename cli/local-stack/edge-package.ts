import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_PACKAGE_PATH } from '../../src/config';

// The Compute package the service is created with. `npm start` (and the Worker's build) builds it
// on the first run when the project has a build:edge script (js-compute-runtime + edge/pack.ts,
// offline). Two first runs at once (two terminals, or test files in parallel) would write the same
// bin/main.wasm together, one packing the other's half-written file: a lock file next to the
// package, holding its builder's pid, lets one build while the others wait for its result; a lock
// whose process is gone (a killed build) is taken over.

function hasBuildScript(root: string): boolean {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return typeof manifest.scripts?.['build:edge'] === 'string';
}

function isRunning(holder: string): boolean {
  const pid = Number(holder);
  // Not a pid: not a lock any running build wrote.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `path` holding our pid, unless it exists. Written aside and linked into place, so no
 * reader ever sees the file empty (link, unlike rename, fails when the name is taken).
 */
function createWithPid(path: string): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, String(process.pid));
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/** What a lock file holds (its holder's pid); null when the file is gone. */
function holderOf(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A takeover takes microseconds: a guard this old was left by a process killed during one. */
const ABANDONED_GUARD_MS = 10_000;

/**
 * Replaces the lock a gone process left (holding `staleHolder`) with ours. Two processes that both
 * found it stale must not both take it (the second would remove the first one's new lock): the
 * one that holds the guard file looks again, and removes the lock only if it is still the stale one.
 */
export function takeOverStaleLock(lock: string, staleHolder: string): boolean {
  const guard = `${lock}.takeover`;
  if (!createWithPid(guard)) {
    try {
      if (Date.now() - statSync(guard).mtimeMs > ABANDONED_GUARD_MS) rmSync(guard, { force: true });
    } catch (error) {
      // ENOENT: gone already, the other takeover finished.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return false;
  }
  try {
    if (holderOf(lock) !== staleHolder) return false;
    rmSync(lock, { force: true });
    return createWithPid(lock);
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Takes the build lock: false while another running process holds it. */
function takeLock(lock: string): boolean {
  if (createWithPid(lock)) return true;
  const holder = holderOf(lock);
  // Gone: released just now, and taken on the next try.
  if (holder === null || isRunning(holder)) return false;
  return takeOverStaleLock(lock, holder);
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
    if (takeLock(lock)) {
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
