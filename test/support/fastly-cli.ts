import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tar from 'tar';

// The official Fastly CLI (a Go binary built on go-fastly), installed for the tests from its npm
// package at an exact version into a cache folder: not a dependency of the project, because the
// per-platform optional packages of `@fastly/cli` broke `npm ci` on other platforms
// (docs/fastly-facts.md, "Tooling").

const FASTLY_CLI_VERSION = '16.1.0';

const run = promisify(execFile);
const CACHE = fileURLToPath(new URL(`../../node_modules/.cache/fastly-cli/${FASTLY_CLI_VERSION}`, import.meta.url));

/** The path of the `fastly` binary, fetched with `npm pack` the first time and kept in the cache. */
export async function installFastlyCli(): Promise<string> {
  const binary = join(CACHE, 'fastly');
  if (existsSync(binary)) return binary;
  mkdirSync(dirname(CACHE), { recursive: true });
  const work = mkdtempSync(`${CACHE}-download-`);
  try {
    const pkg = `@fastly/cli-${process.platform}-${process.arch}@${FASTLY_CLI_VERSION}`;
    await run('npm', ['pack', pkg, '--pack-destination', work, '--silent'], { timeout: 300_000 });
    const archive = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!archive) throw new Error(`npm pack ${pkg} left no archive`);
    await tar.x({ file: join(work, archive), cwd: work });
    // Renamed into place in one step: a concurrent install finds either nothing or the whole binary.
    if (!existsSync(binary)) renameSync(join(work, 'package'), CACHE);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}

export interface FastlyCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `fastly ...args` against `apiUrl` with `token`, a fresh HOME and nothing else from our environment. */
export async function runFastlyCli(
  binary: string,
  args: string[],
  env: { apiUrl: string; token: string; home: string; cwd?: string },
): Promise<FastlyCliResult> {
  try {
    const { stdout, stderr } = await run(binary, args, {
      cwd: env.cwd ?? env.home,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: env.home,
        FASTLY_API_ENDPOINT: env.apiUrl,
        // The CLI reads OpenID Connect discovery here before its first API call: the simulator answers it.
        FASTLY_ACCOUNT_ENDPOINT: env.apiUrl,
        FASTLY_API_TOKEN: env.token,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
