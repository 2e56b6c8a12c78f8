import { type Command, Option } from 'commander';
import { action } from '../action';
import { durationArgument, portArgument } from '../arguments';

// `edgeplane start` (what `npm start` runs): the whole local stack in one command; see cli/run/start.ts.

export function registerStart(program: Command): void {
  const durationOption = (flags: string, description: string, fallback: number, shown: string) =>
    new Option(flags, description).argParser(durationArgument).default(fallback, shown);
  const portOption = (flags: string, description: string, fallback: number) => new Option(flags, description).argParser(portArgument).default(fallback);

  program
    .command('start')
    .description('Run the whole local stack (what `npm start` does): Fastly simulator, control plane, demo origin, local edge, and the seed story')
    .option('--domain <domain>', "the instance's domain", 'toot.example')
    .option('--service <name>', 'the service name', 'toot')
    .option('--data-dir <dir>', 'where the database, logs and build log go', '.edgeplane')
    .addOption(portOption('--api-port <port>', 'control plane API port', Number(process.env.EDGEPLANE_PORT || 8440)))
    .addOption(portOption('--sim-port <port>', 'Fastly simulator port', 8900))
    .addOption(portOption('--origin-port <port>', 'demo origin port', 8480))
    .addOption(portOption('--edge-port <port>', 'local edge port', 8080))
    .addOption(durationOption('--let-go-after <duration>', 'when the previous account lets go of the domain', 60_000, '1m'))
    .addOption(durationOption('--release-delay <duration>', 'how long Fastly still refuses the domain after that', 90_000, '90s'))
    .addOption(durationOption('--tls-delay <duration>', 'time for each certificate step (pending, processing, issued)', 10_000, '10s'))
    .addOption(durationOption('--retry-initial <duration>', 'probe interval while waiting (EDGEPLANE_RETRY_INITIAL)', 10_000, '10s'))
    .addOption(durationOption('--retry-max <duration>', 'longest probe interval (EDGEPLANE_RETRY_MAX)', 60_000, '1m'))
    .addOption(durationOption('--poll-interval <duration>', 'how often the worker looks for due steps', 1000, '1s'))
    .option('--package <path>', 'use this edge package instead of building pkg/edgeplane.tar.gz')
    .option('--no-edge', 'do not start the local edge')
    .option('--exit-when-cached', 'stop everything and exit once the story ends (0 when cached, 3 otherwise)')
    .action(action(async () => (await import('../run/start')).runStart));
}
