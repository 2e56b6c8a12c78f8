import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'smol-toml';
import { create } from 'tar';

/**
 * A Compute package laid out as `fastly compute pack` makes it: a gzip'd tar whose entries sit
 * under one directory named after the package (`<name>/fastly.toml`, `<name>/bin/main.wasm`).
 */
export async function packComputePackage(name: string, files: Record<string, string | Uint8Array>, { gzip = true }: { gzip?: boolean } = {}): Promise<Buffer> {
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

/** The top-level facts of a fastly.toml manifest that Fastly reports for a package. */
export interface ManifestFacts {
  name: string | null;
  description: string | null;
  authors: string[];
  language: string | null;
}

/** Reads a fastly.toml manifest; throws (smol-toml's TomlError) when it is not TOML. */
export function readManifest(manifest: string): ManifestFacts {
  const toml = parse(manifest);
  const text = (key: string) => {
    const value = toml[key];
    return typeof value === 'string' ? value : null;
  };
  const authors = Array.isArray(toml.authors) ? toml.authors.filter((author): author is string => typeof author === 'string') : [];
  return { name: text('name'), description: text('description'), authors, language: text('language') };
}
