import { createHash } from 'node:crypto';
import { Parser, type ReadEntry } from 'tar';
import { type ManifestFacts, readManifest } from '../compute-package';

/** A package's metadata as Fastly reports it, read from the archive. */
export interface PackageMetadata {
  name: string | null;
  description: string | null;
  authors: string[];
  language: string | null;
  size: number;
  /** sha512 (hex) of the archive. */
  hashsum: string;
  /** sha512 (hex) of the files' contents, in path order: stays the same when only the archive changes. */
  files_hash: string;
}

export class InvalidPackage extends Error {}

const GZIP_MAGIC = [0x1f, 0x8b];

async function readEntries(archive: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          if (entry.type === 'File') files.set(entry.path.replace(/^\.\//, ''), Buffer.concat(chunks));
        });
      },
    });
    parser.on('error', reject);
    parser.on('abort', reject);
    parser.on('end', () => resolve());
    parser.end(archive);
  });
  return files;
}

/**
 * Checks a Compute package as `fastly compute pack` makes it: a gzip'd tar with `<dir>/fastly.toml`
 * and `<dir>/bin/main.wasm`, and reads its metadata from the manifest's top-level keys.
 */
export async function readPackageArchive(archive: Buffer): Promise<PackageMetadata> {
  if (archive.length < 2 || archive[0] !== GZIP_MAGIC[0] || archive[1] !== GZIP_MAGIC[1])
    throw new InvalidPackage('The package is not a gzip-compressed tar archive');
  let files: Map<string, Buffer>;
  try {
    files = await readEntries(archive);
  } catch (error) {
    throw new InvalidPackage(`The package is not a valid tar archive: ${(error as Error).message}`);
  }
  const within = (suffix: string) => [...files.keys()].find((path) => path.split('/').slice(1).join('/') === suffix);
  const manifestPath = within('fastly.toml');
  if (!manifestPath) throw new InvalidPackage('The package has no fastly.toml');
  if (!within('bin/main.wasm')) throw new InvalidPackage('The package has no bin/main.wasm');
  let manifest: ManifestFacts;
  try {
    manifest = readManifest(files.get(manifestPath)!.toString('utf8'));
  } catch (error) {
    throw new InvalidPackage(`The package's fastly.toml is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
  const filesHash = createHash('sha512');
  for (const path of [...files.keys()].sort()) filesHash.update(files.get(path)!);
  return {
    ...manifest,
    size: archive.length,
    hashsum: createHash('sha512').update(archive).digest('hex'),
    files_hash: filesHash.digest('hex'),
  };
}
