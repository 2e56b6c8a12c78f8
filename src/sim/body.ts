import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest } from './errors';

/** Fastly's form booleans: fastly-js sends `true`/`false`, curl users send `1`/`0`. */
export const formBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((value) => value === true || value === 'true' || value === '1');

/** A form number (strings from form encoding, numbers from JSON). */
export const formInteger = z.coerce.number().int().nonnegative();

/** How one family of Fastly's APIs words a refused body (classic, JSON:API, Domain Management). */
export type BodyRefusal = (detail: string) => Error;

/** The request body as a plain object, whatever encoding the client used. */
export async function readBody(c: Context, refuse: BodyRefusal = badRequest): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  try {
    if (type.includes('json')) {
      const text = await c.req.text();
      return text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    }
    if (type.includes('x-www-form-urlencoded') || type.includes('multipart/form-data')) {
      return (await c.req.parseBody({ all: false })) as Record<string, unknown>;
    }
    return {};
  } catch {
    throw refuse('Could not parse the request body');
  }
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown, refuse: BodyRefusal = badRequest): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw refuse(issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'Invalid request');
  }
  return result.data;
}

/** Parses a body with `schema`, whatever its encoding; refusals are worded by `refuse`. */
export async function bodyOf<T extends z.ZodType>(c: Context, schema: T, refuse: BodyRefusal = badRequest): Promise<z.infer<T>> {
  return parseBody(schema, await readBody(c, refuse), refuse);
}
