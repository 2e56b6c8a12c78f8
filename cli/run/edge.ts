import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { explainLine } from '../../edge/explain';
import { parseDomainName } from '../../src/domain-name';
import { isEdgeplaneError } from '../../src/errors';
import { SITE_CONFIG_KEY, type SiteConfig, siteWithHosts } from '../../src/site-config';
import { CliExit, ExitCode } from '../exit-codes';
import { listenAs } from '../listen';

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

/** A host flag's value as a domain name; `--main https://toot.example` is refused, not taken as host "https". */
function hostFlag(flag: string, value: string): string {
  try {
    return parseDomainName(value);
  } catch (error) {
    throw new CliExit(
      ExitCode.usage,
      `--${flag} takes a host name like toot.example, not "${value}": ${isEdgeplaneError(error) ? error.detail : String(error)}`,
    );
  }
}

function siteFromFlags(options: SiteFlags & { main: string }): SiteConfig {
  const main = hostFlag('main', options.main);
  return siteWithHosts({
    main: [main],
    alias: (options.alias ?? []).map((host) => hostFlag('alias', host)),
    redirect: [...(options.redirect ?? []).map((host) => hostFlag('redirect', host)), ...(options.wwwRedirect ? [`www.${main}`] : [])],
    static: options.static ? [hostFlag('static', options.static)] : [],
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
  fastlyTokenFile?: string;
  service?: string;
  caching: string;
  debugHeader: boolean;
}

/** The Fastly token from --fastly-token-file, else FASTLY_API_TOKEN: a secret never travels in argv. */
function fastlyToken(file: string | undefined): string | undefined {
  if (file === undefined) return process.env.FASTLY_API_TOKEN || undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (error) {
    throw new CliExit(ExitCode.usage, `cannot read --fastly-token-file ${file}: ${(error as Error).message}`);
  }
}

/** Reads the site config once before listening, so a token Fastly refuses stops the start. */
async function checkFastlyAccess(options: ServeOptions, token: string | undefined): Promise<void> {
  if (!options.fastlyUrl || !options.service || !token) return;
  const { fastlyConfigStoreReader } = await import('../../edge/local/config-source');
  try {
    await fastlyConfigStoreReader({ apiUrl: options.fastlyUrl, token, service: options.service })(SITE_CONFIG_KEY);
  } catch (error) {
    if (isEdgeplaneError(error, 'unauthorized'))
      throw new CliExit(
        ExitCode.usage,
        `Fastly at ${options.fastlyUrl} refused the token (${options.fastlyTokenFile ? `from ${options.fastlyTokenFile}` : 'FASTLY_API_TOKEN'}): ${error.detail}`,
      );
    // Unreachable for now: the edge keeps trying and answers 503 meanwhile.
    console.error(`edgeplane: warning: ${isEdgeplaneError(error) ? error.detail : String(error)}; the edge answers 503 until it can read the site config`);
  }
}

export async function serveEdge(options: ServeOptions): Promise<void> {
  if (!options.fastlyUrl && !options.main)
    throw new CliExit(ExitCode.usage, 'give --fastly-url and --service (site config from the Config Store) or --main (site config from flags)');
  if (options.fastlyUrl && !options.service)
    throw new CliExit(ExitCode.usage, 'with --fastly-url, name the service whose Config Store the edge reads (--service)');
  const token = fastlyToken(options.fastlyTokenFile);
  await checkFastlyAccess(options, token);
  // Loaded on use, so that `edge decide` starts fast.
  const { startLocalEdge } = await import('../../edge/local/server');
  const edge = await listenAs('local edge', '--port', () =>
    startLocalEdge({
      port: options.port,
      host: options.host,
      originMain: options.originMain,
      originStatic: options.originStatic,
      fastlyUrl: options.fastlyUrl,
      fastlyToken: token,
      service: options.service,
      site: options.main ? siteFromFlags({ ...options, main: options.main }) : undefined,
      caching: options.caching === 'on',
      debugHeader: options.debugHeader,
      log: (entry) => console.log(JSON.stringify(entry)),
    }),
  ).catch((error: unknown) => {
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
