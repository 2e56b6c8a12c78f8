import { InvalidArgumentError, Option } from 'commander';
import { durationOrNull, notADuration } from '../src/duration';

// Parsers of flag values; a bad value is a usage error (exit 2) naming the flag.

export function durationArgument(value: string): number {
  const parsed = durationOrNull(value);
  if (parsed === null) throw new InvalidArgumentError(notADuration(value));
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
