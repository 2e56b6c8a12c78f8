import { type Command, Option } from 'commander';
import type { DomainRole } from '../../src/model';
import { action } from '../action';
import { countArgument, durationArgument, serviceOption } from '../arguments';

const jsonOption = () => new Option('--json', 'print the domain record as JSON');
/** Every DomainRole (the type checks the list), without loading the schemas of src/model. */
const ROLES = Object.keys({ main: true, alias: true, redirect: true, static: true } satisfies Record<DomainRole, true>);

export function registerDomains(program: Command): void {
  const domains = program.command('domains').description('Attach domains and follow them until they are cached');

  domains
    .command('attach')
    .description('Attach a domain; the retry job takes it from queued to cached')
    .argument('<domain>', 'the domain, like toot.example')
    .addOption(serviceOption())
    .addOption(
      new Option('--role <role>', 'main: the instance (one per service); alias: served like main; redirect: 301 to main (www); static: the files domain')
        .choices(ROLES)
        .makeOptionMandatory(),
    )
    .option('--move', 'take the domain over from another service of the same Fastly account')
    .addOption(jsonOption())
    .action(action(async () => (await import('../run/domains')).attachDomain));

  domains
    .command('status')
    .description("Show one domain's record, or list the service's domains by name")
    .argument('[domain]', 'the domain; omit to list all')
    .addOption(serviceOption())
    .addOption(new Option('--limit <count>', 'list only the first <count> domains (default: all, read a page at a time)').argParser(countArgument))
    .addOption(jsonOption())
    .action(action(async () => (await import('../run/domains')).domainStatus));

  domains
    .command('wait')
    .description('Follow a domain until it is cached (exit 0), needs attention (3) or is cancelled (4)')
    .argument('<domain>', 'the domain')
    .addOption(serviceOption())
    .addOption(new Option('--interval <duration>', 'how often to ask the control plane').argParser(durationArgument).default(2000, '2s'))
    .addOption(new Option('--timeout <duration>', 'give up after this long (exit 6)').argParser(durationArgument))
    .addOption(new Option('--json', 'print the record as one JSON line whenever it changes'))
    .action(action(async () => (await import('../run/domains')).waitDomain));

  domains
    .command('retry')
    .description('Retry now: reset the backoff and make the next attempt due immediately')
    .argument('<domain>', 'the domain')
    .addOption(serviceOption())
    .addOption(jsonOption())
    .action(action(async () => (await import('../run/domains')).retryDomain));

  domains
    .command('cancel')
    .description('Cancel a domain that is not attached yet, or detach it (certificate first, then the domain)')
    .argument('<domain>', 'the domain')
    .addOption(serviceOption())
    .addOption(jsonOption())
    .action(action(async () => (await import('../run/domains')).cancelDomain));
}
