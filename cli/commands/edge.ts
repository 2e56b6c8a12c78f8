import { type Command, InvalidArgumentError, Option } from 'commander';
import { action } from '../action';

// `edgeplane edge decide`: what would the edge do with these requests, and why.
// `edgeplane edge serve`: the edge app under Node in front of local origins.

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) throw new InvalidArgumentError('expected a port number');
  return parsed;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const aliasOption = (prefix: string) => new Option('--alias <host>', `${prefix}a host served like the main domain (repeatable)`).argParser(collect);
const redirectOption = (prefix: string) => new Option('--redirect <host>', `${prefix}a host that redirects to the main domain (repeatable)`).argParser(collect);

const cachingOption = () => new Option('--caching <state>', 'caching switch for the site hosts').choices(['on', 'off']).default('on');

export function registerEdge(program: Command): void {
  const edge = program.command('edge').description('The edge app: ask what it would do, or run it locally');

  edge
    .command('decide')
    .description('Read JSON lines {"request":{method,url,headers},"response":{status,headers}} on stdin; print one decision per line')
    .requiredOption('--main <host>', 'the main domain (the instance)')
    .option('--static <host>', 'the files domain')
    .addOption(aliasOption(''))
    .addOption(redirectOption(''))
    .addOption(cachingOption())
    .option('--www-redirect', 'redirect www.<main> to the main domain', false)
    .action(action(async () => (await import('../run/edge')).decide));

  edge
    .command('serve')
    .description('Run the edge app under Node in front of local origins, with a cache following Fastly freshness rules')
    .addOption(new Option('--port <port>', 'port to listen on').argParser(port).default(8080))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .requiredOption('--origin-main <url>', 'base URL of the main origin (load balancer)')
    .requiredOption('--origin-static <url>', 'base URL of the files origin')
    .option('--fastly-url <url>', 'Fastly API (or the simulator) whose Config Store holds the site config and switches')
    .option('--fastly-token-file <path>', 'file holding the Fastly API token (default: the FASTLY_API_TOKEN variable); never a flag, which `ps` would show')
    .option('--service <name>', 'with --fastly-url: the Fastly service whose linked Config Store the edge reads')
    .option('--main <host>', 'without --fastly-url: the main domain')
    .option('--static <host>', 'without --fastly-url: the files domain')
    .addOption(aliasOption('without --fastly-url: '))
    .addOption(redirectOption('without --fastly-url: '))
    .addOption(cachingOption())
    .option('--www-redirect', 'without --fastly-url: redirect www.<main>', false)
    .option('--debug-header', 'without --fastly-url: send the X-Edgeplane-Decision header (with it: Config Store key debug:<host> = on)', false)
    .action(action(async () => (await import('../run/edge')).serveEdge));
}
