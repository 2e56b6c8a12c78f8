import { type Command, Option } from 'commander';
import { action } from '../action';
import { serviceOption } from '../arguments';

/** The old account's token: an option, or (kept out of shell history) this variable. */
export const FROM_TOKEN_ENV = 'EDGEPLANE_FROM_TOKEN';

const fromTokenOption = () =>
  new Option('--from-token <token>', `a Fastly API token of the old account; better set ${FROM_TOKEN_ENV}, which keeps it out of your shell history`).env(
    FROM_TOKEN_ENV,
  );

/** Commander's message for a missing mandatory option names the flag only; this one names the variable too. */
function requireFromToken(_migrate: Command, command: Command): void {
  if (command.opts().fromToken !== undefined) return;
  command.error(`error: required option '--from-token <token>' not specified, nor ${FROM_TOKEN_ENV} set`, {
    code: 'commander.missingMandatoryOptionValue',
  });
}

const keepOriginsOption = () => new Option('--keep-origins', "keep the origins of the service on this account instead of mirroring the old service's backends");

export function registerMigrate(program: Command): void {
  const migrate = program.command('migrate').description('Move a site from another Fastly account: plan it, run it, follow it');
  migrate
    .command('plan')
    .description(
      "Read the old Fastly account and print the plan: what is created on the new account, which of the old account's claims are removed and in which order, the DNS changes, and what users see in between. Reads only: writes nothing anywhere.",
    )
    .addOption(serviceOption('the service on this (new) account'))
    .addOption(fromTokenOption())
    .hook('preAction', requireFromToken)
    .option(
      '--domain <domain>',
      "a domain to move (repeat for several); default: the service's domains, else those of the old service of the same name",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(keepOriginsOption())
    .option('--ttl <seconds>', 'the TTL to lower the DNS records to beforehand (default 60)', (value: string) => Number(value))
    .option('--json', 'print the plan as JSON')
    .action(action(async () => (await import('../run/migrate')).migratePlan));

  migrate
    .command('run')
    .description(
      "Start the move: the old account's claims come off in Fastly's order, then the domains wait for Fastly's release and end cached on this account",
    )
    .addOption(serviceOption('the service on this (new) account'))
    .addOption(fromTokenOption())
    .hook('preAction', requireFromToken)
    .option('--domain <domain>', 'a domain to move (repeat for several); default: as `migrate plan`', (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .addOption(keepOriginsOption())
    .option('--json', 'print the run as JSON')
    .action(action(async () => (await import('../run/migrate')).migrateRun));

  migrate
    .command('status')
    .description("Show a migration run (default: the service's newest): its steps, what is done, what it waits for")
    .argument('[id]', 'the run, like mig_3q2Kx0b1ZpQe')
    .addOption(serviceOption('the service on this (new) account'))
    .option('--json', 'print the run as JSON')
    .action(action(async () => (await import('../run/migrate')).migrateStatus));

  migrate
    .command('cancel')
    .description('Stop a migration run between two steps (what it did on the old account stays done)')
    .argument('[id]', "the run (default: the service's newest)")
    .addOption(serviceOption('the service on this (new) account'))
    .option('--json', 'print the run as JSON')
    .action(action(async () => (await import('../run/migrate')).migrateCancel));

  migrate
    .command('retry')
    .description('Take up a run that needs attention again at the step that failed (after fixing what it reports)')
    .argument('[id]', "the run (default: the service's newest)")
    .addOption(serviceOption('the service on this (new) account'))
    .option('--json', 'print the run as JSON')
    .action(action(async () => (await import('../run/migrate')).migrateRetry));
}
