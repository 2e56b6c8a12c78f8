import type { MigrationPlan } from '../../src/migrate/model';
import type { MigrationRun } from '../../src/migrate/run-model';
import { apiClient } from '../client';
import { CliExit, ExitCode } from '../exit-codes';
import { printJson } from '../format';
import { edgeplaneCommand } from '../invocation';

// `edgeplane migrate plan|run|status|cancel|retry`: the plan of a move from another Fastly account in
// words, and the run that carries it out.

export interface MigratePlanOptions {
  service: string;
  fromToken: string;
  domain?: string[];
  keepOrigins?: boolean;
  ttl?: number;
  json?: boolean;
}

const WHERE = { old_account: 'old account', new_account: 'new account', dns: 'your DNS' } as const;

/** The plan as lines of text: claims, steps in order, DNS, the gap, warnings. */
export function formatPlan(plan: MigrationPlan): string[] {
  const lines = [
    `Move ${plan.domains.map(({ domain, role }) => `${domain} (${role})`).join(', ')} from the Fastly account ${plan.from.name} (${plan.from.customerId}) to the service ${plan.service}`,
    `Origins: main ${plan.origins.main.address}, static ${plan.origins.static.address} (${plan.originsFrom.reason})`,
    '',
    `Claims on the old account (${plan.claims.length}):`,
    ...plan.claims.map((claim) => `  - ${claim.holds.join(', ')}: ${claim.description}; removed at step ${claim.removedAtStep}`),
    '',
    'Steps:',
    ...plan.steps.flatMap((step) => [`  ${step.order}. [${WHERE[step.where]}] ${step.description}`, `     why: ${step.reason}`]),
    '',
    'DNS:',
    ...plan.dns.map(
      (change) =>
        `  step ${change.atStep}: ${change.description}${change.record ? ` (${change.record.name} ${change.record.type} ${change.record.value}${change.record.ttlSeconds ? `, TTL ${change.record.ttlSeconds} s` : ''})` : ''}`,
    ),
    '',
    'During the move:',
    ...plan.gap.map((gap) => `  - ${gap.message}`),
  ];
  if (plan.warnings.length > 0) lines.push('', 'Warnings:', ...plan.warnings.map((warning) => `  ! ${warning}`));
  lines.push('', 'Nothing was changed. `edgeplane migrate run` carries this plan out.');
  return lines;
}

export async function migratePlan(options: MigratePlanOptions): Promise<void> {
  if (options.ttl !== undefined && !(Number.isInteger(options.ttl) && options.ttl > 0))
    throw new CliExit(ExitCode.usage, '--ttl takes a whole number of seconds');
  const plan = await apiClient().planMigration(options.service, {
    fromToken: options.fromToken,
    ...(options.domain ? { domains: options.domain } : {}),
    ...(options.keepOrigins ? { origins: 'keep' as const } : {}),
    ...(options.ttl !== undefined ? { ttlSeconds: options.ttl } : {}),
  });
  if (options.json) return printJson(plan);
  console.log(formatPlan(plan).join('\n'));
}

export async function migrateRun(options: Omit<MigratePlanOptions, 'ttl'>): Promise<void> {
  const run = await apiClient().startMigration(options.service, {
    fromToken: options.fromToken,
    ...(options.domain ? { domains: options.domain } : {}),
    ...(options.keepOrigins ? { origins: 'keep' as const } : {}),
  });
  if (options.json) return printJson(run);
  console.log(formatRun(run));
  console.log(`\nFollow it: ${edgeplaneCommand()} migrate status ${run.id} --service ${options.service}`);
}

/** The run named, or the service's newest. */
async function chosenRun(service: string, id: string | undefined): Promise<MigrationRun> {
  const client = apiClient();
  if (id) return client.getMigration(service, id);
  const newest = (await client.listMigrations(service))[0];
  if (!newest)
    throw new CliExit(ExitCode.error, `service "${service}" has no migration; start one with ${edgeplaneCommand()} migrate run --service ${service}`);
  return newest;
}

export async function migrateStatus(id: string | undefined, options: { service: string; json?: boolean }): Promise<void> {
  const run = await chosenRun(options.service, id);
  if (options.json) printJson(run);
  else console.log(formatRun(run));
}

export async function migrateCancel(id: string | undefined, options: { service: string; json?: boolean }): Promise<void> {
  const run = await apiClient().cancelMigration(options.service, (await chosenRun(options.service, id)).id);
  if (options.json) printJson(run);
  else console.log(formatRun(run));
}

export async function migrateRetry(id: string | undefined, options: { service: string; json?: boolean }): Promise<void> {
  const run = await apiClient().retryMigration(options.service, (await chosenRun(options.service, id)).id);
  if (options.json) printJson(run);
  else console.log(formatRun(run));
}

/** A run as lines of text: where it is, its steps (done, next), its recent history. */
export function formatRun(run: MigrationRun): string {
  const ready = run.conditions.find((condition) => condition.type === 'Ready');
  const lines = [
    `migration ${run.id} of service ${run.service} from ${run.plan.from.name} (${run.plan.from.customerId}): ${run.status}`,
    `  domains       ${run.plan.domains.map(({ domain, role }) => `${domain} (${role})`).join(', ')}`,
    `  steps done    ${run.stepsDone} of ${run.plan.steps.length}`,
    `  attempts      ${run.attempts}${run.lastAttemptAt ? `, last at ${run.lastAttemptAt}` : ''}`,
    `  next attempt  ${run.nextAttemptAt ?? '-'}`,
  ];
  if (ready) lines.push(`  ${ready.reason}: ${ready.message}`);
  if (run.lastError) lines.push(`  last error    ${run.lastError.code}: ${run.lastError.detail}`);
  lines.push('  steps');
  for (const [index, step] of run.plan.steps.entries()) {
    const mark = index < run.stepsDone ? 'done' : index === run.stepsDone && run.status === 'running' ? 'next' : '    ';
    lines.push(`    ${mark}  ${step.order}. [${WHERE[step.where]}] ${step.description}`);
  }
  lines.push('  history');
  for (const event of run.history.slice(-10)) lines.push(`    ${event.at}  ${event.event}: ${event.message}`);
  lines.push(`  each domain's record names what of the old account still holds it: ${edgeplaneCommand()} domains status <domain> --service ${run.service}`);
  return lines.join('\n');
}
