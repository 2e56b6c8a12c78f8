import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEdge } from '../edge/bundle';

// Builds the Compute package once, the way operators do, and checks what comes out. The build
// runs in a scratch checkout (sources linked, manifest copied) so that it never rewrites the
// bin/ and pkg/ a developer or another test may be using.
const root = fileURLToPath(new URL('..', import.meta.url));
let checkout: string;
let wasmPath: string;
let packagePath: string;
let buildOutput: string;

describe('npm run build:edge', () => {
  beforeAll(async () => {
    checkout = await mkdtemp(join(tmpdir(), 'edgeplane-build-'));
    for (const linked of ['edge', 'src', 'node_modules']) await symlink(join(root, linked), join(checkout, linked));
    for (const copied of ['package.json', 'fastly.toml']) await copyFile(join(root, copied), join(checkout, copied));
    wasmPath = join(checkout, 'bin/main.wasm');
    packagePath = join(checkout, 'pkg/edgeplane.tar.gz');
    buildOutput = (await promisify(execFile)('npm', ['run', 'build:edge'], { cwd: checkout, maxBuffer: 16 * 1024 * 1024 })).stdout;
  }, 120_000);

  afterAll(async () => {
    if (checkout) await rm(checkout, { recursive: true, force: true });
  });

  it('produces a Wasm module, and says how big it and its JavaScript bundle are', async () => {
    const wasm = await readFile(wasmPath);
    const sizes = /bin\/main\.wasm \((\d+) bytes\), from a (\d+)-byte minified bundle/.exec(buildOutput);
    expect(Number(sizes?.[1])).toBe(wasm.length);
    expect(Number(sizes?.[2])).toBe((await bundleEdge()).minifiedBytes);
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

describe('the edge bundle', () => {
  it('holds the edge app and hono, and leaves zod out', async () => {
    const bundle = await bundleEdge();
    expect(bundle.inputs).toEqual(expect.arrayContaining(['edge/index.ts', 'edge/policy.ts', 'edge/site-config-check.ts']));
    expect(bundle.inputs.some((input) => input.startsWith('node_modules/hono/'))).toBe(true);
    expect(bundle.inputs.filter((input) => /(^|\/)node_modules\/zod\//.test(input))).toEqual([]);
  });
});
