import { isEdgeplaneError } from '../src/errors';
import { CliExit, ExitCode } from './exit-codes';

/** Turns a command's failure into a message on stderr and a documented exit code. */
export function fail(error: unknown): never {
  if (error instanceof CliExit) {
    console.error(`edgeplane: ${error.message}`);
    process.exit(error.exitCode);
  }
  if (isEdgeplaneError(error)) {
    console.error(`edgeplane: ${error.detail} (${error.code}, HTTP ${error.status})`);
    process.exit(ExitCode.error);
  }
  console.error(`edgeplane: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(ExitCode.error);
}
