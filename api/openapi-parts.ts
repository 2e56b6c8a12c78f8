import { type Hook, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { DOMAIN_PAGE_DEFAULT_LIMIT, DOMAIN_PAGE_MAX_LIMIT, DomainPage, DomainRecord, DomainSummary, ServiceName, ServiceRecord } from '../src/model';
import { invalidRequest, PROBLEM_CONTENT_TYPE, Problem, problemResponse } from './problem';

// Pieces shared by the route files: named schemas, parameters, problem responses, and the
// validation hook that turns every zod failure into a 400 problem. Schemas from src/model are named
// with zod's own `.meta({ id })`: they are created before @hono/zod-openapi adds `.openapi()`.

export const DomainRecordSchema = DomainRecord.meta({ id: 'DomainRecord' });
export const ServiceRecordSchema = ServiceRecord.meta({ id: 'ServiceRecord' });
const DomainSummarySchema = DomainSummary.meta({ id: 'DomainSummary', description: 'A domain record without its history' });
export const DomainPageSchema = DomainPage.extend({ items: z.array(DomainSummarySchema) }).meta({ id: 'DomainPage' });

export const DomainPageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(DOMAIN_PAGE_MAX_LIMIT)
    .default(DOMAIN_PAGE_DEFAULT_LIMIT)
    .openapi({ param: { name: 'limit', in: 'query' }, description: `Domains per page, 1 to ${DOMAIN_PAGE_MAX_LIMIT}`, example: DOMAIN_PAGE_DEFAULT_LIMIT }),
  after: z
    .string()
    .min(1)
    .optional()
    .openapi({
      param: { name: 'after', in: 'query' },
      description: 'The `next` cursor of the previous page (the last domain it listed)',
      example: 'toot.example',
    }),
});

export const ServiceParams = z.object({
  name: ServiceName.meta({ param: { name: 'name', in: 'path' }, example: 'toot' }),
});

export const DomainParams = ServiceParams.extend({
  domain: z.string().openapi({
    param: { name: 'domain', in: 'path' },
    example: 'toot.example',
    description: 'The domain; internationalised names may be given in Unicode or punycode.',
  }),
});

const problemDescriptions: Record<number, string> = {
  400: 'Invalid request: malformed JSON, unknown fields, bad values',
  401: 'Missing or wrong bearer token',
  404: 'No such service or domain',
  409: 'Conflicts with the current state (for example a domain held by a service of this account)',
  413: 'Request body too large',
  415: 'Request body is not JSON',
  422: 'Fastly rejected the request',
  429: 'Fastly rate limit reached; see Retry-After',
  502: "Fastly refused the control plane's own Fastly token",
  503: 'Fastly is unavailable',
};

export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: problemDescriptions[status] ?? 'Error', content: { [PROBLEM_CONTENT_TYPE]: { schema: Problem } } }]),
  );
}

export const validationHook: Hook<unknown, Env, string, unknown> = (result, c) => {
  if (!result.success) {
    const where = result.target === 'json' ? 'request body' : result.target === 'param' ? 'path' : result.target;
    const { error, issues } = invalidRequest(where, result.error);
    return problemResponse(c, error, issues);
  }
};

export function routeGroup(): OpenAPIHono {
  return new OpenAPIHono({ defaultHook: validationHook });
}

export function jsonBody<T extends z.ZodType>(schema: T, description: string) {
  return { required: true, description, content: { 'application/json': { schema } } };
}
