import { isEdgeplaneError } from '../../src/errors';
import type { DomainRecord, Origin, ServiceInput } from '../../src/model';
import { type ApiClient, apiClient } from '../client';
import { CliExit, ExitCode } from '../exit-codes';
import { formatService, formatServiceList, printJson } from '../format';
import { edgeplaneCommand } from '../invocation';

// `edgeplane services create|list|show`.

export interface CreateOptions {
  mainOrigin: { address: string; port: number };
  staticOrigin: { address: string; port: number };
  mainHostHeader?: string;
  staticHostHeader?: string;
  staticPathPrefix?: string;
  originTls: boolean;
  configStore?: string;
  mainDomain?: string;
  wwwRedirect?: boolean;
  json?: boolean;
}

function serviceInput(name: string, options: CreateOptions): ServiceInput {
  const origin = (address: { address: string; port: number }, hostHeader?: string, pathPrefix?: string): Origin => ({
    ...address,
    useTls: options.originTls,
    ...(hostHeader ? { hostHeader } : {}),
    ...(pathPrefix ? { pathPrefix } : {}),
  });
  return {
    name,
    origins: {
      main: origin(options.mainOrigin, options.mainHostHeader),
      static: origin(options.staticOrigin, options.staticHostHeader, options.staticPathPrefix),
    },
    ...(options.configStore ? { configStoreName: options.configStore } : {}),
  };
}

/** The main host `--www-redirect` puts www. in front of: --main-domain, else the service's own; checked before any write. */
async function mainHostForWww(client: ApiClient, name: string, options: CreateOptions): Promise<string> {
  let main = options.mainDomain?.toLowerCase();
  if (main === undefined) {
    const existing = await client.getService(name).catch((error: unknown) => {
      if (isEdgeplaneError(error, 'not_found')) return null;
      throw error;
    });
    main = existing?.domains.find((domain) => domain.role === 'main')?.domain;
  }
  if (main === undefined) {
    throw new CliExit(ExitCode.usage, `--www-redirect attaches www.<main host>, and service ${name} has no main host yet: give it with --main-domain D`);
  }
  if (main.startsWith('www.')) {
    throw new CliExit(
      ExitCode.usage,
      `--www-redirect attaches www.<main host>, and the main host ${main} already starts with www.: attach the bare name with --role redirect instead`,
    );
  }
  return main;
}

/**
 * Exits 3 when the service could not be provisioned: a script must not go on attaching domains to
 * it (nor does this command: --main-domain and --www-redirect attach only to a ready service).
 */
export async function createService(name: string, options: CreateOptions): Promise<ExitCode> {
  const client = apiClient();
  const wwwOf = options.wwwRedirect ? await mainHostForWww(client, name, options) : null;
  const record = await client.createService(serviceInput(name, options));
  if (record.status === 'needs_attention') {
    if (options.json) printJson(record);
    else console.log(formatService(record));
    console.error(`edgeplane: service ${name} needs attention: ${record.lastError?.detail ?? 'it could not be provisioned'}`);
    return ExitCode.needsAttention;
  }
  const attached: DomainRecord[] = [];
  let main = wwwOf;
  if (options.mainDomain !== undefined) {
    const mainRecord = await client.attachDomain(name, { domain: options.mainDomain, role: 'main' });
    attached.push(mainRecord);
    main = mainRecord.domain; // as the API normalised it
  }
  if (options.wwwRedirect) attached.push(await client.attachDomain(name, { domain: `www.${main}`, role: 'redirect' }));
  // Show the service with the domains just attached; --json prints the same record as without them.
  const shown = attached.length === 0 ? record : await client.getService(name);
  if (options.json) {
    printJson(shown);
    return ExitCode.ok;
  }
  console.log(formatService(shown));
  if (attached.length > 0) {
    console.log(`\nFollow ${attached.length === 1 ? 'it' : 'them'}:`);
    for (const domain of attached) console.log(`  ${edgeplaneCommand()} domains wait ${domain.domain} --service ${name}`);
  }
  return ExitCode.ok;
}

export async function listServices(options: { json?: boolean }): Promise<void> {
  const records = await apiClient().listServices();
  if (options.json) printJson(records);
  else console.log(formatServiceList(records));
}

export async function showService(name: string, options: { json?: boolean }): Promise<void> {
  const record = await apiClient().getService(name);
  if (options.json) printJson(record);
  else console.log(formatService(record));
}
