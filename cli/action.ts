import { isEdgeplaneError } from '../src/errors';
import { ApiClient, clientSettings } from './client';
import { CliExit, ExitCode } from './exit-codes';

// Runs a command's body and turns its failures into a message on stderr and a documented exit code.

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

/**
 * Wraps a commander action: errors become exit codes, and the process ends when the body is done
 * (idle keep-alive connections must not hold it open).
 */
export function action<A extends unknown[]>(body: (...args: A) => Promise<void | ExitCode>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code: ExitCode | void;
    try {
      code = await body(...args);
    } catch (error) {
      fail(error);
    }
    process.exit(code ?? ExitCode.ok);
  };
}

/** The API client configured from EDGEPLANE_URL and EDGEPLANE_API_TOKEN. */
export function apiClient(): ApiClient {
  return new ApiClient(clientSettings(process.env));
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
