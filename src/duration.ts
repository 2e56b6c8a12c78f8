import ms from 'ms';
import { z } from 'zod';

/** A duration such as `2s`, `10m`, `1h` or a bare number of milliseconds, as milliseconds. */
export const Duration = z
  .union([z.number().nonnegative(), z.string().trim().min(1)])
  .transform((value, ctx) => {
    const parsed = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : ms(value as ms.StringValue);
    if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) {
      ctx.addIssue({ code: 'custom', message: `not a duration: "${value}" (try 2s, 10m, 1h)` });
      return z.NEVER;
    }
    return parsed;
  });

export function parseDuration(value: string | number): number {
  return Duration.parse(value);
}
