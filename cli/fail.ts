import { isEdgeplaneError } from '../src/errors';
import { exitWhenWritten } from './exit';
import { CliExit, ExitCode } from './exit-codes';

/** Turns a command's failure into a message on stderr and a documented exit code. */
export function fail(error: unknown): Promise<never> {
  if (error instanceof CliExit) {
    console.error(`edgeplane: ${error.message}`);
    return exitWhenWritten(error.exitCode);
  }
  if (isEdgeplaneError(error)) {
    console.error(`edgeplane: ${error.detail} (${error.code}, HTTP ${error.status})`);
    return exitWhenWritten(ExitCode.error);
  }
  console.error(`edgeplane: ${error instanceof Error ? error.message : String(error)}`);
  return exitWhenWritten(ExitCode.error);
}
