import type { DomainRecord } from '../src/model';
import type { ApiClient } from './client';
import { ExitCode } from './exit-codes';
import { progressLine } from './format';

// `domains wait`: follows one domain until it is cached, needs a person, or is cancelled. On a
// terminal it redraws one status line with a countdown to the next attempt; otherwise (pipes, CI,
// logs) it prints a line whenever something changed.

export interface WaitOptions {
  intervalMs: number;
  timeoutMs: number | null;
  json: boolean;
  out: NodeJS.WriteStream;
}

const FINAL: Partial<Record<DomainRecord['state'], ExitCode>> = {
  cached: ExitCode.ok,
  needs_attention: ExitCode.needsAttention,
  cancelled: ExitCode.cancelled,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fingerprint(record: DomainRecord): string {
  return JSON.stringify([record.state, record.attempts, record.lastError, record.tls?.state ?? null, record.nextAttemptAt]);
}

export async function waitForDomain(client: ApiClient, service: string, domain: string, options: WaitOptions): Promise<ExitCode> {
  const live = options.out.isTTY === true && !options.json;
  const deadline = options.timeoutMs === null ? Infinity : Date.now() + options.timeoutMs;
  let last = '';
  let record = await client.getDomain(service, domain);
  let fetchedAt = Date.now();

  for (;;) {
    const changed = fingerprint(record) !== last;
    last = fingerprint(record);
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
    await sleep(Math.max(0, Math.min(live ? 1000 : options.intervalMs, deadline - Date.now())));
    if (Date.now() - fetchedAt >= options.intervalMs || !live) {
      record = await client.getDomain(service, domain);
      fetchedAt = Date.now();
    }
  }
}

function conclusion(record: DomainRecord): string {
  switch (record.state) {
    case 'cached':
      return `${record.domain} is cached: Fastly serves it with caching on.`;
    case 'needs_attention':
      return `${record.domain} needs attention: ${record.lastError ? `${record.lastError.code}: ${record.lastError.detail}` : 'see `edgeplane domains status`'}\n`
        + `Fix the cause, then: edgeplane domains retry ${record.domain} --service ${record.service}`;
    default:
      return `${record.domain} was cancelled.`;
  }
}
