import { type Command, Option } from 'commander';
import { action } from '../action';
import { durationArgument, portArgument } from '../arguments';

// `edgeplane serve` (API + retry worker) and `edgeplane worker` (the retry worker alone),
// configured by the environment of src/config.ts; see cli/run/serve.ts.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const logLevelOption = () => new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info');
const rebindOption = () =>
  new Option('--rebind-database', 'serve a database created for another Fastly account or API, recording the configured one in it').default(false);
const pollIntervalOption = () =>
  new Option('--poll-interval <duration>', 'how often the worker looks for due steps').argParser(durationArgument).default(1000, '1s');

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the control-plane API and the retry worker (configured by environment variables, see cli/README.md)')
    .option('--no-worker', 'serve the API only; run `edgeplane worker` elsewhere')
    .addOption(new Option('--port <port>', 'port to listen on (default: EDGEPLANE_PORT or 8440)').argParser(portArgument))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(logLevelOption())
    .addOption(pollIntervalOption())
    .addOption(rebindOption())
    .action(action(async () => (await import('../run/serve')).serve));

  program
    .command('worker')
    .description('Run the retry worker alone (several may share one database: each service is leased)')
    .addOption(logLevelOption())
    .addOption(pollIntervalOption())
    .addOption(rebindOption())
    .action(action(async () => (await import('../run/serve')).worker));
}
