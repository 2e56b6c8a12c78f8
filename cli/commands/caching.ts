import type { Command } from 'commander';
import { action } from '../action';
import { serviceOption } from '../arguments';

/** `edgeplane caching on|off <domain> --service S`: the operator override of the caching switch. */
export function registerCaching(program: Command): void {
  const caching = program.command('caching').description('Switch edge caching of a domain on or off (writes caching:<domain> to the Config Store)');

  for (const [state, enabled] of [
    ['on', true],
    ['off', false],
  ] as const) {
    caching
      .command(state)
      .description(enabled ? 'Cache at the edge per the Mastodon policy' : 'Pure pass-through: every request goes to the origin')
      .argument('<domain>', 'the domain')
      .addOption(serviceOption())
      .option('--json', 'print the domain record as JSON')
      .action(action(async () => (await import('../run/caching')).setCaching(enabled)));
  }
}
