/** The CLI's exit codes (documented in cli/README.md). */
export const ExitCode = {
  ok: 0,
  /** The API answered with an error, or the operation failed. */
  error: 1,
  /** Bad usage: unknown command, bad flag or argument, bad configuration. */
  usage: 2,
  /** `domains wait`: the domain needs a person (state needs_attention); `services create`: the service does. */
  needsAttention: 3,
  /** `domains wait`: the domain was cancelled. */
  cancelled: 4,
  /** The control plane could not be reached at EDGEPLANE_URL. */
  unreachable: 5,
  /** `domains wait --timeout`: the time ran out first. */
  timeout: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the CLI with a specific exit code and message. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}
