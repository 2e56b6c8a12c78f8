import type { DomainRecord } from '../src/model';
import type { ApiClient } from './client';
import { CliExit, ExitCode } from './exit-codes';
import { dnsRecordLines, progressLine } from './format';
import { edgeplaneCommand } from './invocation';

// `domains wait`: follows one domain until it is cached, needs a person, or is cancelled. On a
// terminal it redraws one status line with a countdown to the next attempt; otherwise (pipes, CI,
// logs) it prints a line whenever something changed. A control plane that restarts meanwhile is
// waited for, not given up on.

export interface WaitOptions {
  intervalMs: number;
  timeoutMs: number | null;
  json: boolean;
  /** Progress; a TTY gets the redrawn line. */
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Notes that are not progress (the control plane is unreachable). */
  err: NodeJS.WritableStream;
}

const FINAL: Partial<Record<DomainRecord['state'], ExitCode>> = {
  cached: ExitCode.ok,
  needs_attention: ExitCode.needsAttention,
  cancelled: ExitCode.cancelled,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The DNS records while the certificate waits for them; null once issued or when none are known. */
function pendingDns(record: DomainRecord): string | null {
  if (record.state !== 'securing' || !record.tls || record.tls.state === 'issued' || record.tls.dnsRecords.length === 0) return null;
  return JSON.stringify(record.tls.dnsRecords);
}

function fingerprint(record: DomainRecord): string {
  return JSON.stringify([record.state, record.attempts, record.lastError, record.tls?.state ?? null, record.nextAttemptAt]);
}

export async function waitForDomain(client: ApiClient, service: string, domain: string, options: WaitOptions): Promise<ExitCode> {
  const live = options.out.isTTY === true && !options.json;
  const deadline = options.timeoutMs === null ? Infinity : Date.now() + options.timeoutMs;
  let last = '';
  let dnsShown: string | null = null;
  let record = await client.getDomain(service, domain);
  let fetchedAt = Date.now();
  let unreachable = false;

  for (;;) {
    const changed = fingerprint(record) !== last;
    last = fingerprint(record);
    const dns = pendingDns(record);
    if (!options.json && dns !== null && dns !== dnsShown) {
      // Printed once (again when they change): the certificate waits for these records.
      options.out.write(`${live ? '\r\x1b[K' : ''}${record.domain}: the certificate waits for these DNS records:\n${dnsRecordLines(record).join('\n')}\n`);
    }
    dnsShown = dns ?? dnsShown;
    if (options.json) {
      if (changed) options.out.write(`${JSON.stringify(record)}\n`);
    } else if (live) {
      options.out.write(`\r\x1b[K${progressLine(record)}`);
    } else if (changed) {
      options.out.write(`${new Date().toISOString()}  ${progressLine(record)}\n`);
    }

    const final = FINAL[record.state];
    if (final !== undefined) {
      if (live) options.out.write('\n');
      if (!options.json) options.out.write(`${conclusion(record)}\n`);
      return final;
    }
    if (Date.now() >= deadline) {
      if (live) options.out.write('\n');
      if (!options.json) options.out.write(`gave up waiting: ${record.domain} is still ${record.state}\n`);
      return ExitCode.timeout;
    }
    // Redraw the countdown every second on a terminal; ask the API again every interval.
    const pause = live ? Math.min(1000, options.intervalMs) : options.intervalMs;
    await sleep(Math.max(0, Math.min(pause, deadline - Date.now())));
    if (Date.now() - fetchedAt >= options.intervalMs || !live) {
      fetchedAt = Date.now();
      try {
        record = await client.getDomain(service, domain);
        unreachable = false;
      } catch (error) {
        if (!(error instanceof CliExit && error.exitCode === ExitCode.unreachable)) throw error;
        if (!unreachable) options.err.write(`${live ? '\n' : ''}${error.message}; still trying\n`);
        unreachable = true;
      }
    }
  }
}

function conclusion(record: DomainRecord): string {
  switch (record.state) {
    case 'cached':
      return `${record.domain} is cached: Fastly serves it with caching on.`;
    case 'needs_attention':
      return (
        `${record.domain} needs attention: ${record.lastError ? `${record.lastError.code}: ${record.lastError.detail}` : `see \`${edgeplaneCommand()} domains status ${record.domain} --service ${record.service}\``}\n`
        + `Fix the cause, then: ${edgeplaneCommand()} domains retry ${record.domain} --service ${record.service}`
      );
    default:
      return `${record.domain} was cancelled.`;
  }
}
