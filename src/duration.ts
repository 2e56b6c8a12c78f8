import ms from 'ms';

// The one reader of durations, for flags (cli/arguments.ts) and the environment
// (duration-schema.ts). Free of zod, so that registering the CLI's commands does not load it.

/** Milliseconds of `500ms`, `2s`, `10m`, `1h` or a bare number of milliseconds; null when it is none. */
export function durationOrNull(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const text = value.trim();
  if (text === '') return null;
  const parsed: number | undefined = /^\d+$/.test(text) ? Number(text) : ms(text as ms.StringValue);
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 0 ? parsed : null;
}

export function notADuration(value: string | number): string {
  return `not a duration: "${value}" (try 500ms, 2s, 10m, 1h)`;
}
