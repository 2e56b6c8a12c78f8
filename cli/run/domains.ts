import type { DomainRole } from '../../src/model';
import { apiClient } from '../client';
import { CliExit, ExitCode } from '../exit-codes';
import { formatDomain, formatDomainList, printJson } from '../format';
import { edgeplaneCommand } from '../invocation';
import { waitForDomain } from '../wait';

// `edgeplane domains attach|status|wait|retry|cancel`.

export interface ServiceOptions {
  service: string;
  json?: boolean;
}

export async function attachDomain(domain: string, options: ServiceOptions & { role: DomainRole; move?: boolean }): Promise<void> {
  const record = await apiClient().attachDomain(options.service, {
    domain,
    role: options.role,
    ...(options.move ? { move: true } : {}),
  });
  if (options.json) return printJson(record);
  console.log(formatDomain(record));
  console.log(`\nFollow it: ${edgeplaneCommand()} domains wait ${record.domain} --service ${record.service}`);
}

export async function domainStatus(domain: string | undefined, options: ServiceOptions & { limit?: number }): Promise<void> {
  if (domain !== undefined && options.limit !== undefined) {
    throw new CliExit(
      ExitCode.usage,
      `--limit applies to the list of domains; with a domain (${domain}) status shows that one record: drop --limit or the domain`,
    );
  }
  const client = apiClient();
  if (domain === undefined) {
    const records = await client.listDomains(options.service, options.limit === undefined ? {} : { limit: options.limit });
    return options.json ? printJson(records) : console.log(formatDomainList(records));
  }
  const record = await client.getDomain(options.service, domain);
  return options.json ? printJson(record) : console.log(formatDomain(record));
}

export function waitDomain(domain: string, options: ServiceOptions & { interval: number; timeout?: number }) {
  return waitForDomain(apiClient(), options.service, domain, {
    intervalMs: Math.max(100, options.interval),
    timeoutMs: options.timeout ?? null,
    json: options.json === true,
    out: process.stdout,
    err: process.stderr,
  });
}

export async function retryDomain(domain: string, options: ServiceOptions): Promise<void> {
  const record = await apiClient().retryDomain(options.service, domain);
  if (options.json) return printJson(record);
  console.log(`${record.domain}: ${record.state}, next attempt due now.`);
}

export async function cancelDomain(domain: string, options: ServiceOptions): Promise<void> {
  const record = await apiClient().removeDomain(options.service, domain);
  if (options.json) return printJson(record);
  console.log(`${record.domain}: ${record.state}`);
}
