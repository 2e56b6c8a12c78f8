import { Command } from 'commander';
import { registerCaching } from './commands/caching';
import { registerCloudflare } from './commands/cloudflare';
import { registerDomains } from './commands/domains';
import { registerEdge } from './commands/edge';
import { registerNotify } from './commands/notify';
import { registerPurge } from './commands/purge';
import { registerServe } from './commands/serve';
import { registerServices } from './commands/services';
import { registerSim } from './commands/sim';
import { registerStart } from './commands/start';

// The `edgeplane` command. Each subcommand lives in cli/commands/<name>.ts and exports register*().
const program = new Command('edgeplane')
  .description('Puts a self-hosted site behind Fastly and keeps it there.')
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

registerStart(program);
registerServe(program);
registerCloudflare(program);
registerServices(program);
registerDomains(program);
registerCaching(program);
registerPurge(program);
registerNotify(program);
registerSim(program);
registerEdge(program);

await program.parseAsync(process.argv);
