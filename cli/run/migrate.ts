import type { MigrationPlan } from '../../src/migrate/model';
import { apiClient } from '../client';
import { CliExit, ExitCode } from '../exit-codes';
import { printJson } from '../format';

// `edgeplane migrate plan`: the plan of a move from another Fastly account, in words.

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
    ...plan.dns.map((change) => `  step ${change.atStep}: ${change.description}${change.record ? ` (${change.record.name} ${change.record.type} ${change.record.value}${change.record.ttlSeconds ? `, TTL ${change.record.ttlSeconds} s` : ''})` : ''}`),
    '',
    'During the move:',
    ...plan.gap.map((gap) => `  - ${gap.message}`),
  ];
  if (plan.warnings.length > 0) lines.push('', 'Warnings:', ...plan.warnings.map((warning) => `  ! ${warning}`));
  lines.push('', 'Nothing was changed. `edgeplane migrate run` carries this plan out.');
  return lines;
}

export async function migratePlan(options: MigratePlanOptions): Promise<void> {
  if (options.ttl !== undefined && !(Number.isInteger(options.ttl) && options.ttl > 0)) throw new CliExit(ExitCode.usage, '--ttl takes a whole number of seconds');
  const plan = await apiClient().planMigration(options.service, {
    fromToken: options.fromToken,
    ...(options.domain ? { domains: options.domain } : {}),
    ...(options.keepOrigins ? { origins: 'keep' as const } : {}),
    ...(options.ttl !== undefined ? { ttlSeconds: options.ttl } : {}),
  });
  if (options.json) return printJson(plan);
  console.log(formatPlan(plan).join('\n'));
}
