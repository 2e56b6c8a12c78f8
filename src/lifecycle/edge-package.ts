import { readFile } from 'node:fs/promises';
import { EdgeplaneError } from '../errors';

/**
 * Where the edge package (the Compute `.tar.gz`) comes from: a file for the Node.js server, a
 * module bundled with the Cloudflare Worker, which has no file system.
 */
export interface EdgePackageSource {
  /** Where it is, as the service's `packagePath` and messages show it. */
  readonly location: string;
  /** Its bytes; null when there is no package. */
  read(): Promise<Uint8Array | null>;
}

/** The package in the file at `path`; a missing file is no package. */
export function edgePackageFile(path: string): EdgePackageSource {
  return {
    location: path,
    async read() {
      try {
        return await readFile(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new EdgeplaneError('invalid_input', `cannot read the edge package ${path}: ${String(error)}`, { cause: error });
      }
    },
  };
}
