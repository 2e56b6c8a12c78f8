import { InvalidArgumentError, Option } from 'commander';
import ms from 'ms';

// Parsers of flag values; a bad value is a usage error (exit 2) naming the flag. They follow
// src/duration.ts (arguments.test.ts checks that they agree) without its schema, so that
// registering the commands does not load zod.

/** Milliseconds of `2s`, `10m`, `1h` or a bare number of milliseconds; null when it is none. */
export function durationOrNull(value: string): number | null {
  const text = value.trim();
  if (text === '') return null;
  const parsed: number | undefined = /^\d+$/.test(text) ? Number(text) : ms(text as ms.StringValue);
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 0 ? parsed : null;
}

export function durationArgument(value: string): number {
  const parsed = durationOrNull(value);
  if (parsed === null) throw new InvalidArgumentError(`not a duration: "${value}" (try 500ms, 2s, 10m, 1h)`);
  return parsed;
}

export function portArgument(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) throw new InvalidArgumentError('expected a port number (0 picks a free one)');
  return parsed;
}

/** A whole number from 1 up. */
export function countArgument(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || !Number.isSafeInteger(parsed)) throw new InvalidArgumentError(`expected a whole number from 1 up, not "${value}"`);
  return parsed;
}

/** A service name that is there: an empty one (EDGEPLANE_SERVICE= in a shell) is a usage error, not a name. */
export function serviceArgument(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('a service name is required (is EDGEPLANE_SERVICE set but empty?)');
  return value;
}

/** `--service`, required unless EDGEPLANE_SERVICE names the service (a shell working on one site sets it once). */
export function serviceOption(description = 'the service the domain belongs to'): Option {
  return new Option('-s, --service <name>', description).env('EDGEPLANE_SERVICE').argParser(serviceArgument).makeOptionMandatory();
}
