import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PACKAGE_PATH } from '../../src/config';

// The Compute package the service is created with. `npm start` builds it on the first run when
// the project has a build:edge script (js-compute-runtime + edge/pack.ts, offline).

function hasBuildScript(root: string): boolean {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return typeof manifest.scripts?.['build:edge'] === 'string';
}

/** Returns the package path, building it first when missing; throws with the build log's path when the build fails. */
export async function ensureEdgePackage(root: string, logFile: string, say: (line: string) => void): Promise<string> {
  const path = join(root, DEFAULT_PACKAGE_PATH);
  if (existsSync(path)) return path;
  if (!hasBuildScript(root)) throw new Error(`no edge package at ${DEFAULT_PACKAGE_PATH} and no build:edge script to build it`);
  say('Building the edge package (first run only, about a minute at most): npm run build:edge');
  const log = createWriteStream(logFile, { flags: 'a' });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const child = spawn(npm, ['run', 'build:edge'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  log.end();
  if (code !== 0 || !existsSync(path)) throw new Error(`npm run build:edge failed (exit ${code}); see ${logFile}`);
  return path;
}
