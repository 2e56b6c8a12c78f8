import type { BenchSettings } from '../settings';
import { round } from '../summary';
import { duration, printTable } from '../table';
import { type ManyDomainsResult, measureManyDomains } from './many-domains';

// Many domains at once (issue 9): Fastly writes and activations per attached domain, and the time
// until every domain is cached under Fastly's write limit.

/** Fastly's default: 1,000 writes an hour per user (docs/fastly-facts.md). */
const WRITE_LIMIT_PER_HOUR = 1_000;
const GOAL_ACTIVATIONS_PER_DOMAIN = 0.05;
/** Hosts per service: well within what one service's edge config holds (about 190 such names). */
const DOMAINS_PER_SERVICE = 100;

export interface AttachSection {
  details: ManyDomainsResult | { error: string };
}

export async function runAttachSection(settings: BenchSettings): Promise<AttachSection> {
  let result: ManyDomainsResult;
  try {
    result = await measureManyDomains({
      domains: settings.attachDomains,
      domainsPerService: DOMAINS_PER_SERVICE,
      writeLimitPerHour: WRITE_LIMIT_PER_HOUR,
      maxHours: 24,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    printTable('4. Many domains at once', ['what', 'measured'], [['not measured', message]]);
    return { details: { error: message } };
  }
  const domains = result.domains.toLocaleString('en');
  const allCached = result.secondsUntilAllCached;
  printTable(
    `4. Many domains at once (${domains} unheld domains on ${result.services} services of one account, attached together, ${WRITE_LIMIT_PER_HOUR.toLocaleString('en')} writes/hour)`,
    ['what', 'measured', 'goal', 'met'],
    [
      ['Fastly writes per attached domain', result.writesPerDomain.toFixed(2), '-', '-'],
      [
        'activations per attached domain',
        result.activationsPerDomain.toFixed(3),
        `≤ ${GOAL_ACTIVATIONS_PER_DOMAIN}`,
        result.activationsPerDomain <= GOAL_ACTIVATIONS_PER_DOMAIN ? 'yes' : 'NO',
      ],
      [
        'time until all are cached (simulated)',
        allCached === null ? 'not within 24 h' : duration(allCached),
        'within the first hour',
        allCached !== null && allCached < 3_600 ? 'yes' : 'NO',
      ],
      [
        'domains cached within the first hour',
        result.cachedWithinFirstHour.toLocaleString('en'),
        domains,
        result.cachedWithinFirstHour === result.domains ? 'yes' : 'NO',
      ],
    ],
  );
  console.log(`(${round(result.wallSeconds, 1)} s of wall-clock time)`);
  return { details: result };
}
