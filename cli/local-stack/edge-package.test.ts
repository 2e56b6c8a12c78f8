import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PACKAGE_PATH } from '../../src/config';
import { ensureEdgePackage, takeOverStaleLock } from './edge-package';

// ensureEdgePackage on a project whose build:edge script is a small stand-in for js-compute-runtime:
// it counts its runs, takes a moment, and writes the package.

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'edgeplane-build-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ scripts: { 'build:edge': 'node build.js' } }));
  writeFileSync(
    join(root, 'build.js'),
    `const fs = require('node:fs');
fs.appendFileSync('runs', 'x');
setTimeout(() => { fs.mkdirSync('pkg', { recursive: true }); fs.writeFileSync(${JSON.stringify(DEFAULT_PACKAGE_PATH)}, 'package'); }, 300);`,
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const runs = () => (existsSync(join(root, 'runs')) ? readFileSync(join(root, 'runs'), 'utf8').length : 0);

describe('ensureEdgePackage', () => {
  it('builds once when several ask at the same time; the others wait for that build', async () => {
    const said: string[] = [];
    const paths = await Promise.all([1, 2, 3].map(() => ensureEdgePackage(root, join(root, 'build.log'), (line) => said.push(line), 20)));
    expect(paths).toEqual(Array(3).fill(join(root, DEFAULT_PACKAGE_PATH)));
    expect(runs()).toBe(1);
    expect(said.filter((line) => line.startsWith('Building'))).toHaveLength(1);
    expect(said.filter((line) => line.startsWith('Another process'))).toHaveLength(2);
    expect(existsSync(join(root, `${DEFAULT_PACKAGE_PATH}.lock`))).toBe(false);
  });

  const lock = () => join(root, `${DEFAULT_PACKAGE_PATH}.lock`);
  const gonePid = () => String(spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid);

  it('takes over the lock of a build that was killed, or of one that holds no pid', async () => {
    for (const left of [gonePid(), 'not a pid']) {
      rmSync(join(root, 'pkg'), { recursive: true, force: true });
      mkdirSync(join(root, 'pkg'));
      writeFileSync(lock(), left);
      await expect(ensureEdgePackage(root, join(root, 'build.log'), () => {}, 20)).resolves.toBe(join(root, DEFAULT_PACKAGE_PATH));
      expect(existsSync(lock())).toBe(false);
    }
    expect(runs()).toBe(2);
  });

  it('leaves alone a lock that another process took over after this one found it stale', () => {
    mkdirSync(join(root, 'pkg'));
    const stale = gonePid();
    // Both found the lock of `stale`; the other one took it over first and is building now.
    writeFileSync(lock(), String(process.pid));
    expect(takeOverStaleLock(lock(), stale)).toBe(false);
    expect(readFileSync(lock(), 'utf8')).toBe(String(process.pid));
    // While nobody has replaced it, the stale lock is taken.
    writeFileSync(lock(), stale);
    expect(takeOverStaleLock(lock(), stale)).toBe(true);
    expect(readFileSync(lock(), 'utf8')).toBe(String(process.pid));
  });

  it('clears the takeover guard of a process killed during a takeover, once it is old', async () => {
    mkdirSync(join(root, 'pkg'));
    writeFileSync(lock(), gonePid());
    writeFileSync(`${lock()}.takeover`, gonePid());
    // A fresh guard: another takeover is under way, so this one does not take the lock.
    expect(takeOverStaleLock(lock(), readFileSync(lock(), 'utf8'))).toBe(false);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(`${lock()}.takeover`, minuteAgo, minuteAgo);
    await expect(ensureEdgePackage(root, join(root, 'build.log'), () => {}, 20)).resolves.toBe(join(root, DEFAULT_PACKAGE_PATH));
    expect(runs()).toBe(1);
    expect(existsSync(`${lock()}.takeover`)).toBe(false);
  });
});
