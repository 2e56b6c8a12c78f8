import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PACKAGE_PATH } from '../../src/config';
import { ensureEdgePackage } from './edge-package';

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

  it('takes over the lock of a build that was killed', async () => {
    const exited = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    mkdirSync(join(root, 'pkg'));
    writeFileSync(join(root, `${DEFAULT_PACKAGE_PATH}.lock`), String(exited.pid));
    await expect(ensureEdgePackage(root, join(root, 'build.log'), () => {}, 20)).resolves.toBe(join(root, DEFAULT_PACKAGE_PATH));
    expect(runs()).toBe(1);
  });
});
