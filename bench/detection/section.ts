import type { BenchSettings } from '../settings';
import { round, type DetectionByWaiting, type DetectionSummary } from '../summary';
import { duration, percent, printTable } from '../table';
import { simulateDetection, type DetectionResult, type ScheduleName } from './simulate';

const SCHEDULES: ReadonlyArray<readonly [ScheduleName, string]> = [
  ['edgeplane', 'edgeplane (schedule + 25 % budget)'],
  ['certManager', 'cert-manager (1 h doubling, 32 h cap)'],
  ['cloudflare', 'Cloudflare for SaaS (60 s × 1.05ⁿ/1.15ⁿ, 4 h cap)'],
];
const WAITING = [1, 10, 100] as const;

function summarise(result: DetectionResult): DetectionSummary {
  return {
    p50Seconds: round(result.p50Seconds, 1),
    p95Seconds: round(result.p95Seconds, 1),
    maxSeconds: round(result.maxSeconds, 1),
    probesPerHourPerDomain: round(result.probesPerHourPerDomain, 3),
    budgetShare: round(result.budgetShare, 4),
  };
}

export interface DetectionSection {
  summary: Record<ScheduleName, DetectionByWaiting>;
  details: Record<ScheduleName, Record<string, DetectionResult>>;
}

export function runDetectionSection(settings: BenchSettings): DetectionSection {
  const summary = {} as Record<ScheduleName, DetectionByWaiting>;
  const details = {} as Record<ScheduleName, Record<string, DetectionResult>>;
  const rows: Array<Array<string | number>> = [];
  for (const [schedule, label] of SCHEDULES) {
    const byWaiting: Record<string, DetectionResult> = {};
    for (const domains of WAITING) {
      const result = simulateDetection({ schedule, domains, trials: settings.detectionTrials, seed: settings.seed });
      byWaiting[`n${domains}`] = result;
      rows.push([
        label,
        domains,
        duration(result.p50Seconds),
        duration(result.p95Seconds),
        duration(result.maxSeconds),
        result.probesPerHourPerDomain.toFixed(2),
        percent(result.budgetShare),
        result.rateLimited,
      ]);
    }
    details[schedule] = byWaiting;
    summary[schedule] = { n1: summarise(byWaiting.n1!), n10: summarise(byWaiting.n10!), n100: summarise(byWaiting.n100!) };
  }
  printTable(
    `2. Release detection — ${settings.detectionTrials} trials per row, release uniform in 0–48 h, same release times for every schedule`,
    ['schedule', 'waiting', 'p50', 'p95', 'max', 'probes/h/domain', 'busiest hour / 1,000 writes', 'probes refused (429)'],
    rows,
  );
  return { summary, details };
}
