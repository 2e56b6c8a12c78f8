import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// How the CLI writes a follow-up command ("Follow it: … domains wait …") so that it runs as
// printed. The package is run from its checkout (`npx edgeplane`, `npm start`), where no
// `edgeplane` is on PATH: npx runs the project's own bin without adding it to PATH. Only
// `npm install -g` or `npm link` put one there. So the plain name is printed only when the first
// `edgeplane` on PATH is this very CLI (the same file once symlinks are resolved); a different
// copy, or none, gets `npx edgeplane`, which runs this checkout's CLI from its directory.

const THIS_CLI = fileURLToPath(new URL('./edgeplane.js', import.meta.url));

function firstOnPath(name: string, path: string): string | null {
  for (const directory of path.split(delimiter)) {
    if (directory === '') continue;
    try {
      return realpathSync(join(directory, name));
    } catch {
      // Not in this directory.
    }
  }
  return null;
}

/** `edgeplane` when that name on PATH runs this CLI, otherwise `npx edgeplane`. */
export function edgeplaneCommand(path = process.env.PATH ?? ''): string {
  return firstOnPath('edgeplane', path) === realpathSync(THIS_CLI) ? 'edgeplane' : 'npx edgeplane';
}
