// The JavaScript the Compute build compiles into Wasm: edge/index.ts bundled as js-compute-runtime
// sees it, `fastly:*` left to the runtime. Measured by `npm run build:edge` and the benchmark, and
// checked by test/edge-build.test.ts (zod stays out: it is most of the weight it could have).

import { build } from 'esbuild';

export interface EdgeBundle {
  minifiedBytes: number;
  bytes: number;
  /** Source files that made it in, relative to the project (e.g. `node_modules/hono/dist/hono.js`). */
  inputs: string[];
}

export async function bundleEdge(entry = 'edge/index.ts'): Promise<EdgeBundle> {
  const bundle = (minify: boolean) =>
    build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      target: 'es2022',
      external: ['fastly:*'],
      minify,
      metafile: true,
      logLevel: 'silent',
    });
  const [minified, plain] = await Promise.all([bundle(true), bundle(false)]);
  return {
    minifiedBytes: minified.outputFiles[0]!.contents.byteLength,
    bytes: plain.outputFiles[0]!.contents.byteLength,
    inputs: Object.keys(minified.metafile.inputs),
  };
}
