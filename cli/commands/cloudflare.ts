import { type Command, Option } from 'commander';
import { action } from '../action';
import { portArgument } from '../arguments';

// `edgeplane cloudflare dev|deploy`: the control plane as a Cloudflare Worker (cloudflare/),
// through wrangler; see cli/run/cloudflare.ts.

export function registerCloudflare(program: Command): void {
  const cloudflare = program.command('cloudflare').description('Run or deploy the control plane as a Cloudflare Worker (D1, Cron Trigger) with wrangler');

  cloudflare
    .command('dev')
    .description('Run the Worker locally (wrangler dev, local D1) with the environment of `serve`; fire its cron handler every EDGEPLANE_TICK (default 30s)')
    .addOption(new Option('--port <port>', 'port to listen on (default: EDGEPLANE_PORT or 8440)').argParser(portArgument))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--persist-to <dir>', 'where the local D1 database is kept', '.edgeplane/cloudflare')
    .action(action(async () => (await import('../run/cloudflare')).cloudflareDev));

  cloudflare
    .command('deploy')
    .description('Deploy the Worker (wrangler deploy); arguments after -- go to wrangler, e.g. -- --dry-run --outdir dist')
    .argument('[wrangler-args...]', 'more arguments for wrangler deploy')
    .action(action(async () => (await import('../run/cloudflare')).cloudflareDeploy));
}
