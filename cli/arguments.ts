import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../src/duration';

// Parsers of flag values; a bad value is a usage error (exit 2) naming the flag.

export function durationArgument(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError(`not a duration: "${value}" (try 500ms, 2s, 10m, 1h)`);
  }
}

export function portArgument(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) throw new InvalidArgumentError('expected a port number (0 picks a free one)');
  return parsed;
}
