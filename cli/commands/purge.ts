import type { Command } from 'commander';
import { action } from '../action';
import { serviceOption } from '../arguments';

export function registerPurge(program: Command): void {
  program
    .command('purge')
    .description('Purge the edge cache: everything, by surrogate key, or one URL')
    .addOption(serviceOption('the service'))
    .option('--all', 'purge everything (counts against the Fastly write limit)')
    .option('--key <key>', 'purge a surrogate key, like media or static (repeat for several)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--url <url>', 'purge one URL')
    .option('--json', 'print the result as JSON')
    .action(action(async () => (await import('../run/purge')).purge));
}
