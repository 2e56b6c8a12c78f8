import type { PurgeInput } from '../../src/model';
import { apiClient } from '../client';
import { CliExit, ExitCode } from '../exit-codes';
import { printJson } from '../format';

// `edgeplane purge`: everything, by surrogate key, or one URL.

export interface PurgeOptions {
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

export async function purge(options: PurgeOptions): Promise<void> {
  const result = await apiClient().purge(options.service, purgeInput(options));
  if (options.json) return printJson(result);
  console.log(`purged ${result.purged}${result.fastlyIds.length > 0 ? ` (Fastly purge id ${result.fastlyIds.join(', ')})` : ''}`);
}
