import { type Command, InvalidArgumentError, Option } from 'commander';
import { durationArgument } from '../arguments';
import type { SimOptions } from '../run/sim';

/** The simulator's own default (src/sim/server.ts DEFAULT_SEED), kept here so that registering does not load it. */
const DEFAULT_SEED = 1;

function integer(min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return parsed;
  };
}

/** `edgeplane sim`: serves the Fastly API simulator until Ctrl-C. */
export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('Run the local Fastly API simulator (stands in for api.fastly.com)')
    .option('--port <port>', 'port to listen on', integer(0), 8900)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--release-delay <duration>', 'how long a domain stays refused after its holder lets go')
        .argParser(durationArgument)
        .default(5 * 60_000, '5m'),
    )
    .addOption(
      new Option('--tls-delay <duration>', 'time for each TLS step, pending -> processing -> issued').argParser(durationArgument).default(30_000, '30s'),
    )
    .option('--seed <n>', 'seed for ids and injected faults (same seed, same ids)', integer(0), DEFAULT_SEED)
    .option('--write-limit <n>', 'non-GET requests per hour per user before 429', integer(1), 1000)
    // Not action(): the simulator keeps serving after runSimulator returns. Failures still end as messages.
    .action(async (options: SimOptions) =>
      (await import('../run/sim')).runSimulator(options).catch(async (error: unknown) => (await import('../fail')).fail(error)),
    );
}
