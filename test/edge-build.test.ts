import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { beforeAll, describe, expect, it } from 'vitest';

// Builds the Compute package once, the way operators do, and checks what comes out.
const root = fileURLToPath(new URL('..', import.meta.url));
const wasmPath = `${root}bin/main.wasm`;
const packagePath = `${root}pkg/edgeplane.tar.gz`;

describe('npm run build:edge', () => {
  beforeAll(async () => {
    await promisify(execFile)('npm', ['run', 'build:edge'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  }, 120_000);

  it('produces a Wasm module', async () => {
    const wasm = await readFile(wasmPath);
    expect([...wasm.subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]);
    expect(wasm.readUInt32LE(4)).toBe(1);
  });

  it('packs the module and the manifest into pkg/edgeplane.tar.gz', async () => {
    const entries = new Map<string, Buffer>();
    await tar.t({
      file: packagePath,
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => entries.set(entry.path, Buffer.concat(chunks)));
      },
    });
    expect([...entries.keys()]).toEqual(expect.arrayContaining(['edgeplane/bin/main.wasm', 'edgeplane/fastly.toml']));
    expect(entries.get('edgeplane/bin/main.wasm')!.equals(await readFile(wasmPath))).toBe(true);
    const manifest = entries.get('edgeplane/fastly.toml')!.toString();
    expect(manifest).toMatch(/^manifest_version = 3$/m);
    expect(manifest).toMatch(/^name = "edgeplane"$/m);
    expect(manifest).toMatch(/^language = "javascript"$/m);
  });
});
