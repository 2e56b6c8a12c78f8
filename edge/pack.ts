import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { packComputePackage, readManifest } from '../src/compute-package';
import { bundleEdge } from './bundle';

// The packing half of `npm run build:edge`: bin/main.wasm and fastly.toml into pkg/<name>.tar.gz,
// the layout `fastly compute pack` produces and Fastly's package upload accepts. Done here rather
// than with the Fastly CLI's npm package, whose per-platform optional packages keep `npm ci`
// from installing on a clean clone.
const manifest = await readFile('fastly.toml', 'utf8');
const { name } = readManifest(manifest);
if (!name) throw new Error('fastly.toml has no top-level name');
const wasm = await readFile('bin/main.wasm');
const archive = await packComputePackage(name, { 'fastly.toml': manifest, 'bin/main.wasm': wasm });
await mkdir('pkg', { recursive: true });
// Written aside and renamed into place, so a process that finds the package never reads half of it.
await writeFile(`pkg/${name}.tar.gz.${process.pid}`, archive);
await rename(`pkg/${name}.tar.gz.${process.pid}`, `pkg/${name}.tar.gz`);
const bundle = await bundleEdge();
console.log(`bin/main.wasm (${wasm.length} bytes), from a ${bundle.minifiedBytes}-byte minified bundle of edge/index.ts`);
console.log(`pkg/${name}.tar.gz (${archive.length} bytes)`);
