import { exitWhenWritten } from './exit';
import { ExitCode } from './exit-codes';

// Commander actions that load their implementation when the command runs: registering every
// command then costs only commander, so `--help` and each command start fast.

// biome-ignore lint/suspicious/noConfusingVoidType: a body that finishes normally returns nothing, not `undefined`.
type Body<A extends unknown[]> = (...args: A) => Promise<void | ExitCode>;

/**
 * Wraps a loader of a command's body: errors become exit codes, and the process ends when the
 * body is done and its output written (idle keep-alive connections must not hold it open).
 */
export function action<A extends unknown[]>(load: () => Promise<Body<A>>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    let code: ExitCode;
    try {
      const body = await load();
      code = (await body(...args)) ?? ExitCode.ok;
    } catch (error) {
      return (await import('./fail')).fail(error);
    }
    await exitWhenWritten(code);
  };
}
