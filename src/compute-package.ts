import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';

/**
 * A Compute package laid out as `fastly compute pack` makes it: a gzip'd tar whose entries sit
 * under one directory named after the package (`<name>/fastly.toml`, `<name>/bin/main.wasm`).
 */
export async function packComputePackage(
  name: string,
  files: Record<string, string | Uint8Array>,
  { gzip = true }: { gzip?: boolean } = {},
): Promise<Buffer> {
  const root = await mkdtemp(join(tmpdir(), 'edgeplane-pack-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      const target = join(root, name, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    const archive = join(root, 'package.tar.gz');
    await create({ gzip, cwd: root, file: archive, portable: true }, [name]);
    return await readFile(archive);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The top-level part of a fastly.toml manifest: everything before its first [table]. */
export function manifestTopLevel(manifest: string): string {
  return manifest.split(/^\s*\[/m)[0] ?? '';
}

/** A top-level string of a fastly.toml manifest (`name`, `description`, `language`), unescaped. */
export function manifestString(manifest: string, key: string): string | null {
  const match = new RegExp(`^\\s*${key}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'm').exec(manifestTopLevel(manifest));
  return match ? match[1]!.replace(/\\(.)/g, '$1') : null;
}
