import { Command, Option } from 'commander';
import type { PurgeInput } from '../../src/model';
import { CliExit, ExitCode } from '../exit-codes';
import { action, apiClient, printJson } from '../action';

interface PurgeOptions {
  service: string;
  all?: boolean;
  key?: string[];
  url?: string;
  json?: boolean;
}

function purgeInput(options: PurgeOptions): PurgeInput {
  const chosen = [options.all, options.key, options.url].filter((value) => value !== undefined).length;
  if (chosen !== 1) throw new CliExit(ExitCode.usage, 'give exactly one of --all, --key K (repeatable) or --url U');
  if (options.all) return { all: true };
  if (options.key) return options.key.length === 1 ? { key: options.key[0]! } : { keys: options.key };
  return { url: options.url! };
}

export function registerPurge(program: Command): void {
  program
    .command('purge')
    .description('Purge the edge cache: everything, by surrogate key, or one URL')
    .addOption(new Option('-s, --service <name>', 'the service').makeOptionMandatory())
    .option('--all', 'purge everything (counts against the Fastly write limit)')
    .option('--key <key>', 'purge a surrogate key, like media or static (repeat for several)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--url <url>', 'purge one URL')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (options: PurgeOptions) => {
        const result = await apiClient().purge(options.service, purgeInput(options));
        if (options.json) return printJson(result);
        console.log(`purged ${result.purged}${result.fastlyIds.length > 0 ? ` (Fastly purge id ${result.fastlyIds.join(', ')})` : ''}`);
      }),
    );
}
