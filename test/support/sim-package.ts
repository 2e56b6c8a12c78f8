import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';

/** A .tar.gz laid out as `fastly compute pack` makes it: `<dir>/fastly.toml`, `<dir>/bin/main.wasm`, ... */
export async function computePackage(files: Record<string, string | Uint8Array>, options: { gzip?: boolean; dir?: string } = {}): Promise<Buffer> {
  const root = mkdtempSync(join(tmpdir(), 'sim-package-'));
  const dir = options.dir ?? 'edgeplane';
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, dir, path)), { recursive: true });
      writeFileSync(join(root, dir, path), content);
    }
    const archive = join(root, 'package.tar.gz');
    await create({ gzip: options.gzip ?? true, cwd: root, file: archive, portable: true }, [dir]);
    return readFileSync(archive);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const MANIFEST = 'manifest_version = 3\nname = "edgeplane"\ndescription = "Mastodon at the edge"\nauthors = ["ops@example.org"]\nlanguage = "javascript"\n\n[scripts]\nbuild = "npm run build"\n';

/** A minimal valid package: the Wasm magic number stands in for a real build. */
export const validPackage = () => computePackage({ 'fastly.toml': MANIFEST, 'bin/main.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) });
