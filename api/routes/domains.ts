import { createRoute, z } from '@hono/zod-openapi';
import type { ControlPlane } from '../../src/control-plane';
import { parseDomainName } from '../../src/domain-name';
import { AttachInput } from '../../src/model';
import { jsonResponse } from '../frozen-json';
import { DomainPageQuery, DomainPageSchema, DomainParams, DomainRecordSchema, jsonBody, problems, routeGroup, ServiceParams } from '../openapi-parts';

const record = (description: string) => ({
  description,
  content: { 'application/json': { schema: DomainRecordSchema } },
});

const attachDomain = createRoute({
  method: 'post',
  path: '/v1/services/{name}/domains',
  tags: ['domains'],
  summary: 'Attach a domain',
  description:
    'Accepts the domain and answers at once with its record in state `queued`; the retry job attaches it, waits while '
    + 'another Fastly account still holds it, activates it, gets its certificate and switches caching on.',
  request: {
    params: ServiceParams,
    body: jsonBody(
      AttachInput.meta({ id: 'AttachInput', example: { domain: 'toot.example', role: 'main' } }),
      'The domain and its role: `main` (the instance, to the load balancer) or `static` (the files domain)',
    ),
  },
  responses: { 202: record('Accepted: the domain record'), ...problems(400, 401, 404, 409, 413, 415) },
});

const listDomains = createRoute({
  method: 'get',
  path: '/v1/services/{name}/domains',
  tags: ['domains'],
  summary: "List a service's domains, a page at a time",
  description:
    'Domains ordered by name, without their history (`GET /v1/services/{name}/domains/{domain}` shows it). '
    + 'Pass `next` as `after` for the following page; `next` is null on the last page. '
    + 'The answer has an `ETag`; a poller that sends it back in `If-None-Match` gets 304 without a body until a write changes the page.',
  request: { params: ServiceParams, query: DomainPageQuery },
  responses: {
    200: {
      description: 'One page of domains',
      headers: { ETag: { description: 'The tag of this page as it is now', schema: { type: 'string' } } },
      content: { 'application/json': { schema: DomainPageSchema } },
    },
    304: {
      description: 'The page is unchanged since the answer that had the `If-None-Match` tag',
      headers: { ETag: { description: 'The same tag', schema: { type: 'string' } } },
    },
    ...problems(400, 401, 404),
  },
});

const showDomain = createRoute({
  method: 'get',
  path: '/v1/services/{name}/domains/{domain}',
  tags: ['domains'],
  summary: 'Show a domain record',
  description: "State, attempts, last error (Fastly's text verbatim), next attempt, conditions and history.",
  request: { params: DomainParams },
  responses: { 200: record('The domain record'), ...problems(400, 401, 404) },
});

const retryDomain = createRoute({
  method: 'post',
  path: '/v1/services/{name}/domains/{domain}/retry',
  tags: ['domains'],
  summary: 'Retry now',
  description: 'Resets the backoff and makes the next attempt due immediately.',
  request: { params: DomainParams },
  responses: { 202: record('Accepted: the domain record'), ...problems(400, 401, 404, 409) },
});

const removeDomain = createRoute({
  method: 'delete',
  path: '/v1/services/{name}/domains/{domain}',
  tags: ['domains'],
  summary: 'Cancel, or detach when attached',
  request: { params: DomainParams },
  responses: { 200: record('The domain record after cancelling or detaching'), ...problems(400, 401, 404, 409, 422, 429, 502, 503) },
});

const setCaching = createRoute({
  method: 'put',
  path: '/v1/services/{name}/domains/{domain}/caching',
  tags: ['domains'],
  summary: 'Switch caching on or off (operator override)',
  description: 'Writes `caching:<domain>` = `on` | `off` to the Config Store the edge reads; no new service version.',
  request: {
    params: DomainParams,
    body: jsonBody(z.object({ enabled: z.boolean() }).strict().openapi('CachingInput'), 'The switch'),
  },
  responses: { 200: record('The domain record'), ...problems(400, 401, 404, 409, 413, 415, 422, 429, 502, 503) },
});

export function domainRoutes(controlPlane: ControlPlane) {
  return routeGroup()
    .openapi(attachDomain, async (c) => {
      const input = c.req.valid('json');
      const domain = parseDomainName(input.domain);
      return c.json(await controlPlane.attachDomain(c.req.valid('param').name, { ...input, domain }), 202);
    })
    .openapi(listDomains, async (c) => {
      const { limit, after } = c.req.valid('query');
      const page = await controlPlane.listDomains(c.req.valid('param').name, { limit, ...(after === undefined ? {} : { after }) });
      return jsonResponse(c, page, 200);
    })
    .openapi(showDomain, async (c) => {
      const { name, domain } = c.req.valid('param');
      return c.json(await controlPlane.getDomain(name, parseDomainName(domain)), 200);
    })
    .openapi(retryDomain, async (c) => {
      const { name, domain } = c.req.valid('param');
      return c.json(await controlPlane.retryDomain(name, parseDomainName(domain)), 202);
    })
    .openapi(removeDomain, async (c) => {
      const { name, domain } = c.req.valid('param');
      return c.json(await controlPlane.removeDomain(name, parseDomainName(domain)), 200);
    })
    .openapi(setCaching, async (c) => {
      const { name, domain } = c.req.valid('param');
      return c.json(await controlPlane.setCaching(name, parseDomainName(domain), c.req.valid('json').enabled), 200);
    });
}
