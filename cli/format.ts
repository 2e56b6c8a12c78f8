import { dnsNote } from '../src/dns-records';
import { RESTING_STATES } from '../src/lifecycle/transitions';
import type { DomainRecord, DomainSummary, ServiceRecord } from '../src/model';
import type { ChannelView } from '../src/notify/model';
import { edgeplaneCommand } from './invocation';

// Human output of the CLI. `--json` prints the API's records instead.

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

export function duration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatServiceList(services: readonly ServiceRecord[]): string {
  if (services.length === 0) return `No services yet: create one with \`${edgeplaneCommand()} services create\`.`;
  return table(
    ['NAME', 'STATUS', 'FASTLY ID', 'VERSION', 'DOMAINS'],
    services.map((service) => [
      service.name,
      service.status,
      service.fastlyServiceId ?? '-',
      service.activeVersion === null ? '-' : String(service.activeVersion),
      service.domains.map((domain) => `${domain.domain} (${domain.state})`).join(', ') || '-',
    ]),
  );
}

export function formatService(service: ServiceRecord): string {
  const origin = (o: ServiceRecord['origins']['main']) =>
    `${o.address}:${o.port}${o.useTls ? ' (TLS)' : ''}${o.hostHeader ? ` Host: ${o.hostHeader}` : ''}${o.pathPrefix ? ` prefix ${o.pathPrefix}` : ''}`;
  const lines = [
    `Service ${service.name}: ${service.status}`,
    `  Fastly service id  ${service.fastlyServiceId ?? '(not created yet)'}`,
    `  active version     ${service.activeVersion ?? '-'}`,
    `  config store       ${service.configStoreName}${service.configStoreId ? ` (${service.configStoreId})` : ''}`,
    `  main origin        ${origin(service.origins.main)}`,
    `  static origin      ${origin(service.origins.static)}`,
    `  package            ${service.packagePath ?? '-'}`,
  ];
  if (service.lastError) lines.push(`  last error         ${service.lastError.code}: ${service.lastError.detail}`);
  if (service.domains.length === 0) lines.push('  domains            -');
  else {
    lines.push('  domains');
    const domains = table(
      ['DOMAIN', 'ROLE', 'STATE'],
      service.domains.map((domain) => [domain.domain, domain.role, domain.state]),
    );
    lines.push(...domains.split('\n').map((line) => `    ${line}`));
  }
  return lines.join('\n');
}

function nextAttempt(record: DomainSummary, now: number): string {
  if (record.nextAttemptAt === null) return '-';
  const due = Date.parse(record.nextAttemptAt) - now;
  return due <= 0 ? 'due now' : `in ${duration(due)}`;
}

export function formatDomainList(records: readonly DomainSummary[], now = Date.now()): string {
  if (records.length === 0) return `No domains on this service yet: attach one with \`${edgeplaneCommand()} domains attach\`.`;
  return table(
    ['DOMAIN', 'ROLE', 'STATE', 'ATTEMPTS', 'NEXT ATTEMPT', 'CACHING', 'LAST ERROR'],
    records.map((record) => [
      record.domain,
      record.role,
      record.state,
      String(record.attempts),
      nextAttempt(record, now),
      record.caching ? 'on' : 'off',
      record.lastError ? record.lastError.code : '-',
    ]),
  );
}

export function formatDomain(record: DomainRecord, now = Date.now()): string {
  const lines = [
    `${record.domain} (${record.role}) on service ${record.service}: ${record.state}`,
    `  attempts      ${record.attempts}${record.lastAttemptAt ? `, last at ${record.lastAttemptAt}` : ''}`,
    `  next attempt  ${nextAttempt(record, now)}`,
    `  caching       ${record.caching ? 'on' : 'off'}${record.cachingOverride === null ? '' : ' (operator override)'}`,
    `  version       ${record.activeVersion ?? '-'}`,
  ];
  if (record.waitingSince) lines.push(`  waiting since ${record.waitingSince}`);
  if (record.lastError) lines.push(`  last error    ${record.lastError.code}: ${record.lastError.detail}`);
  if (record.tls) {
    lines.push(`  certificate   ${record.tls.state} (subscription ${record.tls.subscriptionId})`);
    lines.push(...dnsRecordLines(record));
  }
  if (record.conditions.length > 0) {
    lines.push('  conditions');
    for (const condition of record.conditions) {
      lines.push(`    ${condition.type}=${condition.status}  ${condition.reason}: ${condition.message}`);
    }
  }
  const recent = record.history.slice(-8);
  if (recent.length > 0) {
    lines.push(`  history${record.history.length > recent.length ? ` (last ${recent.length} of ${record.history.length})` : ''}`);
    for (const event of recent) lines.push(`    ${event.at}  ${event.from ?? '-'} -> ${event.to}  ${event.event}: ${event.message}`);
  }
  return lines.join('\n');
}

/** The DNS records to create, one a line, and for an apex why they are A/AAAA records. */
export function dnsRecordLines(record: DomainRecord | DomainSummary): string[] {
  const records = record.tls?.dnsRecords ?? [];
  if (records.length === 0) return [];
  const lines = records.map((dns) => `    create ${dns.type} ${dns.name} -> ${dns.value}  (${dns.purpose})`);
  const note = dnsNote(record.domain);
  return note ? [...lines, `    note: ${note}.`] : lines;
}

/** One line of `domains wait` progress. */
export function progressLine(record: DomainRecord, now = Date.now()): string {
  const parts = [record.domain, record.state, `attempts ${record.attempts}`];
  if (record.nextAttemptAt !== null && !RESTING_STATES.includes(record.state)) {
    parts.push(`next attempt ${nextAttempt(record, now)}`);
  }
  if (record.tls && record.state === 'securing') parts.push(`certificate ${record.tls.state}`);
  if (record.lastError) parts.push(`last error ${record.lastError.code}: ${record.lastError.detail}`);
  return parts.join('  ');
}

export function formatChannels(service: string, channels: readonly ChannelView[]): string {
  if (channels.length === 0)
    return `No notification channels for ${service}: add one with \`${edgeplaneCommand()} notify add ${service} --webhook <url> --secret <secret>\`.`;
  return table(
    ['ID', 'KIND', 'TARGET', 'EVENTS', 'DELIVERED', 'PENDING', 'LAST FAILURE'],
    channels.map((channel) => [
      channel.id,
      channel.kind === 'mastodon' ? `mastodon (${channel.visibility})` : channel.kind,
      channel.target,
      channel.events?.join(',') ?? 'all',
      String(channel.delivery.delivered),
      String(channel.delivery.pending),
      channel.delivery.lastFailure ? `${channel.delivery.lastFailureAt}: ${channel.delivery.lastFailure}` : '-',
    ]),
  );
}
