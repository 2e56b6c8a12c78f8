import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { bundleEdge } from '../../edge/bundle';

// Sizes of what the edge ships: the JavaScript bundle of edge/index.ts (fastly:* left to the
// runtime) and the Wasm module `npm run build:edge` makes of it.

export const WASM_PATH = 'bin/main.wasm';

export interface BundleSize {
  minifiedBytes: number;
  bytes: number;
}

export async function edgeBundleSize(): Promise<BundleSize> {
  const { minifiedBytes, bytes } = await bundleEdge();
  return { minifiedBytes, bytes };
}

export interface WasmSize {
  bytes: number | null;
  /** `built` when this run built it, `found` when it was there, else why it is missing. */
  source: string;
}

export function wasmSize(buildIfMissing: boolean): WasmSize {
  if (existsSync(WASM_PATH)) return { bytes: statSync(WASM_PATH).size, source: 'found' };
  if (!buildIfMissing) return { bytes: null, source: `${WASM_PATH} not built (run npm run build:edge)` };
  const build = spawnSync('npm', ['run', 'build:edge'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(WASM_PATH)) return { bytes: null, source: `npm run build:edge failed: ${build.stderr.trim().split('\n').pop() ?? ''}` };
  return { bytes: statSync(WASM_PATH).size, source: 'built' };
}
