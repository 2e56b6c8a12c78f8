import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FROM_TOKEN_ENV, registerMigrate } from './migrate';

/** Parses `edgeplane migrate <args>` without running an action; resolves to the usage error and what was written to stderr. */
async function usageError(args: string[]): Promise<{ error: unknown; stderr: string }> {
  let stderr = '';
  const program = new Command('edgeplane').exitOverride().configureOutput({
    writeErr: (text) => {
      stderr += text;
    },
    writeOut: () => {},
  });
  registerMigrate(program);
  const error = await program.parseAsync(['migrate', ...args], { from: 'user' }).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  return { error, stderr };
}

afterEach(() => vi.unstubAllEnvs());

describe('migrate plan and run without the old account token', () => {
  it.each(['plan', 'run'])('%s: a usage error naming both --from-token and EDGEPLANE_FROM_TOKEN', async (command) => {
    vi.stubEnv(FROM_TOKEN_ENV, undefined);
    const { error, stderr } = await usageError([command, '--service', 'toot']);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).code).toBe('commander.missingMandatoryOptionValue');
    expect((error as CommanderError).exitCode).not.toBe(0);
    expect(stderr.split('\n')[0]).toBe(`error: required option '--from-token <token>' not specified, nor ${FROM_TOKEN_ENV} set`);
  });
});
