import type { BenchSettings } from '../settings';
import { printTable } from '../table';
import { measureScheduledTick, type ScheduledTickResult } from './scheduled-tick';

// The control plane as a Cloudflare Worker (issue 17): what one cron invocation costs on a local D1.

export interface WorkerSection {
  details: ScheduledTickResult | { error: string };
}

export async function runWorkerSection(settings: BenchSettings): Promise<WorkerSection> {
  const title = `5. The Worker's scheduled tick (workerd, local D1, ${settings.workerDomains.toLocaleString('en')} idle domains)`;
  let result: ScheduledTickResult;
  try {
    result = await measureScheduledTick({ domains: settings.workerDomains, ticks: settings.workerTicks });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    printTable(title, ['what', 'measured'], [['not measured', message]]);
    return { details: { error: message } };
  }
  printTable(
    title,
    ['what', 'measured', 'note'],
    [
      [
        `scheduled tick, ${result.domains.toLocaleString('en')} idle domains (ms)`,
        result.meanMs.toFixed(1),
        `mean of ${result.ticks} cron events after a warm-up one; slowest ${result.maxMs.toFixed(1)} ms`,
      ],
    ],
  );
  return { details: result };
}
