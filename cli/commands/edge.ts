import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isEdgeplaneError } from '../../src/errors';
import { SiteConfig } from '../../src/site-config';
import { explainLine } from '../../edge/explain';
import { action } from '../action';
import { CliExit, ExitCode } from '../exit-codes';

// `edgeplane edge decide`: what would the edge do with these requests, and why.
// `edgeplane edge serve`: the edge app under Node in front of local origins.

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) throw new InvalidArgumentError('expected a port number');
  return parsed;
}

const cachingOption = () => new Option('--caching <state>', 'caching switch for the site hosts').choices(['on', 'off']).default('on');

async function decide(options: { main: string; static?: string; caching: string; wwwRedirect: boolean }): Promise<ExitCode> {
  const site = SiteConfig.parse({ mainDomain: options.main, staticDomain: options.static ?? null, wwwRedirect: options.wwwRedirect });
  let bad = 0;
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const result = explainLine(line, site, options.caching === 'on', Date.now());
    if (result.ok) {
      console.log(JSON.stringify(result.output));
    } else {
      bad += 1;
      console.log(JSON.stringify({ error: `line ${lineNumber}: ${result.error}`, line: lineNumber }));
    }
  }
  if (bad > 0) console.error(`edgeplane: ${bad} input line(s) could not be read`);
  return bad > 0 ? ExitCode.error : ExitCode.ok;
}

interface ServeOptions {
  port: number;
  host: string;
  originMain: string;
  originStatic: string;
  fastlyUrl?: string;
  fastlyToken?: string;
  configStore: string;
  main?: string;
  static?: string;
  caching: string;
  wwwRedirect: boolean;
}

async function serveEdge(options: ServeOptions): Promise<void> {
  if (!options.fastlyUrl && !options.main) throw new CliExit(ExitCode.usage, 'give --fastly-url (site config from the Config Store) or --main (site config from flags)');
  // Loaded on use, so that `edge decide` and the other commands start fast.
  const { startLocalEdge } = await import('../../edge/local/server');
  const edge = await startLocalEdge({
    port: options.port,
    host: options.host,
    originMain: options.originMain,
    originStatic: options.originStatic,
    fastlyUrl: options.fastlyUrl,
    fastlyToken: options.fastlyToken ?? process.env.FASTLY_API_TOKEN,
    configStore: options.configStore,
    site: options.main ? { mainDomain: options.main, staticDomain: options.static ?? null, wwwRedirect: options.wwwRedirect } : undefined,
    caching: options.caching === 'on',
    log: (entry) => console.log(JSON.stringify(entry)),
  }).catch((error: unknown) => {
    if (isEdgeplaneError(error, 'invalid_input')) throw new CliExit(ExitCode.usage, error.detail);
    throw error;
  });
  console.error(`edgeplane: local edge listening on ${edge.url}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await edge.close();
}

export function registerEdge(program: Command): void {
  const edge = program.command('edge').description('The edge app: ask what it would do, or run it locally');

  edge
    .command('decide')
    .description('Read JSON lines {"request":{method,url,headers},"response":{status,headers}} on stdin; print one decision per line')
    .requiredOption('--main <host>', 'the main domain (the instance)')
    .option('--static <host>', 'the files domain')
    .addOption(cachingOption())
    .option('--www-redirect', 'redirect www.<main> to the main domain', false)
    .action(action(decide));

  edge
    .command('serve')
    .description('Run the edge app under Node in front of local origins, with a cache following Fastly freshness rules')
    .addOption(new Option('--port <port>', 'port to listen on').argParser(port).default(8080))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .requiredOption('--origin-main <url>', 'base URL of the main origin (load balancer)')
    .requiredOption('--origin-static <url>', 'base URL of the files origin')
    .option('--fastly-url <url>', 'Fastly API (or the simulator) whose Config Store holds the site config and switches')
    .option('--fastly-token <token>', 'Fastly API token (default: FASTLY_API_TOKEN)')
    .option('--config-store <name>', 'Config Store name', 'edgeplane')
    .option('--main <host>', 'without --fastly-url: the main domain')
    .option('--static <host>', 'without --fastly-url: the files domain')
    .addOption(cachingOption())
    .option('--www-redirect', 'without --fastly-url: redirect www.<main>', false)
    .action(action(serveEdge));
}
