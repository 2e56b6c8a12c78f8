import { z } from 'zod';
import { durationOrNull, notADuration } from './duration';

/** A duration (see duration.ts) in configuration, as milliseconds. */
export const Duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const parsed = durationOrNull(value);
  if (parsed === null) {
    ctx.addIssue({ code: 'custom', message: notADuration(value) });
    return z.NEVER;
  }
  return parsed;
});
