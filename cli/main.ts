import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCaching } from './commands/caching';
import { registerCloudflare } from './commands/cloudflare';
import { registerDomains } from './commands/domains';
import { registerEdge } from './commands/edge';
import { registerMigrate } from './commands/migrate';
import { registerNotify } from './commands/notify';
import { registerPurge } from './commands/purge';
import { registerServe } from './commands/serve';
import { registerServices } from './commands/services';
import { registerSim } from './commands/sim';
import { registerStart } from './commands/start';
import { exitWhenWritten } from './exit';

// The `edgeplane` command. Each subcommand lives in cli/commands/<name>.ts and exports register*().
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('edgeplane')
  .description('Puts a self-hosted site behind Fastly and keeps it there.')
  .version(version, '-V, --version', 'print the version of edgeplane')
  .showHelpAfterError()
  .exitOverride();

registerStart(program);
registerServe(program);
registerCloudflare(program);
registerServices(program);
registerDomains(program);
registerCaching(program);
registerPurge(program);
registerMigrate(program);
registerNotify(program);
registerSim(program);
registerEdge(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Help, version and usage errors: commander has printed them; exit once they are written.
  if (!(error instanceof CommanderError)) throw error;
  await exitWhenWritten(error.exitCode === 0 ? 0 : 2);
}
