import { createInterface } from 'node:readline';
import { explainLine } from '../../edge/explain';
import { isEdgeplaneError } from '../../src/errors';
import { type SiteConfig, siteWithHosts } from '../../src/site-config';
import { CliExit, ExitCode } from '../exit-codes';

// `edgeplane edge decide`: what would the edge do with these requests, and why.
// `edgeplane edge serve`: the edge app under Node in front of local origins.

/** The hosts given as flags: --main, --alias, --redirect (and www.<main> with --www-redirect), --static. */
export interface SiteFlags {
  main?: string;
  alias?: string[];
  redirect?: string[];
  static?: string;
  wwwRedirect: boolean;
}

function siteFromFlags(options: SiteFlags & { main: string }): SiteConfig {
  return siteWithHosts({
    main: [options.main],
    alias: options.alias ?? [],
    redirect: [...(options.redirect ?? []), ...(options.wwwRedirect ? [`www.${options.main}`] : [])],
    static: options.static ? [options.static] : [],
  });
}

export async function decide(options: SiteFlags & { main: string; caching: string }): Promise<ExitCode> {
  const site = siteFromFlags(options);
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

export interface ServeOptions extends SiteFlags {
  port: number;
  host: string;
  originMain: string;
  originStatic: string;
  fastlyUrl?: string;
  fastlyToken?: string;
  service?: string;
  caching: string;
  debugHeader: boolean;
}

export async function serveEdge(options: ServeOptions): Promise<void> {
  if (!options.fastlyUrl && !options.main) throw new CliExit(ExitCode.usage, 'give --fastly-url and --service (site config from the Config Store) or --main (site config from flags)');
  if (options.fastlyUrl && !options.service) throw new CliExit(ExitCode.usage, 'with --fastly-url, name the service whose Config Store the edge reads (--service)');
  // Loaded on use, so that `edge decide` starts fast.
  const { startLocalEdge } = await import('../../edge/local/server');
  const edge = await startLocalEdge({
    port: options.port,
    host: options.host,
    originMain: options.originMain,
    originStatic: options.originStatic,
    fastlyUrl: options.fastlyUrl,
    fastlyToken: options.fastlyToken ?? process.env.FASTLY_API_TOKEN,
    service: options.service,
    site: options.main ? siteFromFlags({ ...options, main: options.main }) : undefined,
    caching: options.caching === 'on',
    debugHeader: options.debugHeader,
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
