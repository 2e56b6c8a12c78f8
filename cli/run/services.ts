import type { Origin, ServiceInput } from '../../src/model';
import { apiClient } from '../client';
import { ExitCode } from '../exit-codes';
import { formatService, formatServiceList, printJson } from '../format';

// `edgeplane services create|list|show`.

export interface CreateOptions {
  mainOrigin: { address: string; port: number };
  staticOrigin: { address: string; port: number };
  mainHostHeader?: string;
  staticHostHeader?: string;
  staticPathPrefix?: string;
  originTls: boolean;
  configStore?: string;
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

/** Exits 3 when the service could not be provisioned: a script must not go on attaching domains to it. */
export async function createService(name: string, options: CreateOptions): Promise<ExitCode> {
  const record = await apiClient().createService(serviceInput(name, options));
  if (options.json) printJson(record);
  else console.log(formatService(record));
  if (record.status !== 'needs_attention') return ExitCode.ok;
  console.error(`edgeplane: service ${name} needs attention: ${record.lastError?.detail ?? 'it could not be provisioned'}`);
  return ExitCode.needsAttention;
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
