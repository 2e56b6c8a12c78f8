import { Command, Option } from 'commander';
import { DomainRole } from '../../src/model';
import { durationArgument } from '../arguments';
import { action, apiClient, printJson } from '../action';
import { formatDomain, formatDomainList } from '../format';
import { waitForDomain } from '../wait';

const serviceOption = () => new Option('-s, --service <name>', 'the service the domain belongs to').makeOptionMandatory();
const jsonOption = () => new Option('--json', 'print the domain record as JSON');

interface ServiceOptions {
  service: string;
  json?: boolean;
}

export function registerDomains(program: Command): void {
  const domains = program.command('domains').description('Attach domains and follow them until they are cached');

  domains
    .command('attach')
    .description('Attach a domain; the retry job takes it from queued to cached')
    .argument('<domain>', 'the domain, like toot.example')
    .addOption(serviceOption())
    .addOption(new Option('--role <role>', 'main: the instance (load balancer); static: the files domain').choices(DomainRole.options).makeOptionMandatory())
    .option('--move', 'take the domain over from another service of the same Fastly account')
    .addOption(jsonOption())
    .action(
      action(async (domain: string, options: ServiceOptions & { role: DomainRole; move?: boolean }) => {
        const record = await apiClient().attachDomain(options.service, {
          domain,
          role: options.role,
          ...(options.move ? { move: true } : {}),
        });
        if (options.json) return printJson(record);
        console.log(formatDomain(record));
        console.log(`\nFollow it: edgeplane domains wait ${record.domain} --service ${record.service}`);
      }),
    );

  domains
    .command('status')
    .description("Show one domain's record, or every domain of the service")
    .argument('[domain]', 'the domain; omit to list all')
    .addOption(serviceOption())
    .addOption(jsonOption())
    .action(
      action(async (domain: string | undefined, options: ServiceOptions) => {
        const client = apiClient();
        if (domain === undefined) {
          const records = await client.listDomains(options.service);
          return options.json ? printJson(records) : console.log(formatDomainList(records));
        }
        const record = await client.getDomain(options.service, domain);
        return options.json ? printJson(record) : console.log(formatDomain(record));
      }),
    );

  domains
    .command('wait')
    .description('Follow a domain until it is cached (exit 0), needs attention (3) or is cancelled (4)')
    .argument('<domain>', 'the domain')
    .addOption(serviceOption())
    .addOption(new Option('--interval <duration>', 'how often to ask the control plane').argParser(durationArgument).default(2000, '2s'))
    .addOption(new Option('--timeout <duration>', 'give up after this long (exit 6)').argParser(durationArgument))
    .addOption(new Option('--json', 'print the record as one JSON line whenever it changes'))
    .action(
      action(async (domain: string, options: ServiceOptions & { interval: number; timeout?: number }) =>
        waitForDomain(apiClient(), options.service, domain, {
          intervalMs: Math.max(100, options.interval),
          timeoutMs: options.timeout ?? null,
          json: options.json === true,
          out: process.stdout,
          err: process.stderr,
        }),
      ),
    );

  domains
    .command('retry')
    .description('Retry now: reset the backoff and make the next attempt due immediately')
    .argument('<domain>', 'the domain')
    .addOption(serviceOption())
    .addOption(jsonOption())
    .action(
      action(async (domain: string, options: ServiceOptions) => {
        const record = await apiClient().retryDomain(options.service, domain);
        if (options.json) return printJson(record);
        console.log(`${record.domain}: ${record.state}, next attempt due now.`);
      }),
    );

  domains
    .command('cancel')
    .description('Cancel a domain that is not attached yet, or detach it (certificate first, then the domain)')
    .argument('<domain>', 'the domain')
    .addOption(serviceOption())
    .addOption(jsonOption())
    .action(
      action(async (domain: string, options: ServiceOptions) => {
        const record = await apiClient().removeDomain(options.service, domain);
        if (options.json) return printJson(record);
        console.log(`${record.domain}: ${record.state}`);
      }),
    );
}
