import { packComputePackage } from '../../src/compute-package';

/** A .tar.gz laid out as `fastly compute pack` makes it: `<dir>/fastly.toml`, `<dir>/bin/main.wasm`, ... */
export const computePackage = async (files: Record<string, string | Uint8Array>, options: { gzip?: boolean; dir?: string } = {}): Promise<Buffer> =>
  asFile(await packComputePackage(options.dir ?? 'edgeplane', files, options));

/**
 * Bytes fastly-js uploads as a file part named like the file `fastly compute pack` writes, as
 * Fastly's CLI sends it (superagent names a part after the Buffer's `path`).
 */
export const asFile = (bytes: Buffer): Buffer => Object.assign(bytes, { path: 'edgeplane.tar.gz' });

export const MANIFEST =
  'manifest_version = 3\nname = "edgeplane"\ndescription = "Mastodon at the edge"\nauthors = ["ops@example.org"]\nlanguage = "javascript"\n\n[scripts]\nbuild = "npm run build"\n';

/** A minimal valid package: the Wasm magic number stands in for a real build. */
export const validPackage = () => computePackage({ 'fastly.toml': MANIFEST, 'bin/main.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) });
