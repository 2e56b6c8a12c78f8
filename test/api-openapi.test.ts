import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { DomainState } from '../src/model';
import { apiHarness } from './api-harness';

type Json = Record<string, unknown>;

/** Every error a maintained OpenAPI validator finds: the 3.1 schema, $refs, and the rules the schema
 * cannot express (path parameters, duplicate operationIds). It dereferences its input, so it gets a copy. */
async function violations(doc: Json): Promise<string> {
  const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
  return result.valid ? '' : compileErrors(result);
}

async function document() {
  const { request } = apiHarness();
  const response = await request('GET', '/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(await violations(doc)).toBe('');
  });

  it('the validator catches what a generator can get wrong', async () => {
    const doc = await document();
    const undeclared = structuredClone(doc) as { paths: Record<string, Json> };
    undeclared.paths['/v1/services/{name}/extra'] = { get: { responses: { 200: { description: 'ok' } } } };
    expect(await violations(undeclared as unknown as Json)).toContain('`/paths/v1/services/{name}/extra/get` is missing path parameter(s) for `{name}`');

    const unresolved = structuredClone(doc) as { paths: Record<string, Json> };
    unresolved.paths['/extra'] = { get: { responses: { 200: { $ref: '#/components/responses/Nope' } } } };
    expect(await violations(unresolved as unknown as Json)).toContain('Missing $ref pointer "#/components/responses/Nope"');

    const duplicate = structuredClone(doc) as { paths: Record<string, Record<string, Json>> };
    duplicate.paths['/extra'] = { get: { operationId: 'same', responses: { 200: { description: 'ok' } } } };
    duplicate.paths['/other'] = { get: { operationId: 'same', responses: { 200: { description: 'ok' } } } };
    expect(await violations(duplicate as unknown as Json)).toContain('The operationId `same` is duplicated');
  });

  it('documents every route of the contract', async () => {
    const paths = (await document()).paths as Record<string, Json>;
    const routes = Object.entries(paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'GET /healthz',
        'GET /metrics',
        'POST /v1/services',
        'GET /v1/services',
        'GET /v1/services/{name}',
        'POST /v1/services/{name}/domains',
        'GET /v1/services/{name}/domains',
        'GET /v1/services/{name}/domains/{domain}',
        'POST /v1/services/{name}/domains/{domain}/retry',
        'DELETE /v1/services/{name}/domains/{domain}',
        'PUT /v1/services/{name}/domains/{domain}/caching',
        'POST /v1/services/{name}/purge',
      ].sort(),
    );
  });

  it('generates the schemas from the zod contracts', async () => {
    const doc = await document();
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
    const record = schemas.DomainRecord as { properties: Record<string, Json>; required: string[] };
    expect((record.properties.state as { enum: string[] }).enum).toEqual(DomainState.options);
    expect(record.required).toEqual(expect.arrayContaining(['state', 'attempts', 'lastError', 'nextAttemptAt', 'conditions', 'history']));
    expect(schemas.ServiceInput).toMatchObject({ additionalProperties: false });
    expect(schemas.AttachInput).toMatchObject({ additionalProperties: false, required: expect.arrayContaining(['domain', 'role']) });
    expect(schemas.Problem).toMatchObject({ required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']) });

    const attach = (doc.paths as Record<string, Record<string, Json>>)['/v1/services/{name}/domains']!.post!;
    expect(Object.keys(attach.responses as Json)).toContain('202');
  });

  it('declares bearer auth everywhere but on /healthz', async () => {
    const doc = await document();
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    const paths = doc.paths as Record<string, Record<string, Json>>;
    expect(paths['/healthz']!.get!.security).toEqual([]);
    expect(paths['/v1/services']!.get!.security).toBeUndefined();
  });
});

describe('GET /docs', () => {
  it('renders every route on a page that loads nothing from elsewhere', async () => {
    const { request } = apiHarness();
    const response = await request('GET', '/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    for (const path of ['/v1/services/{name}/domains/{domain}/retry', '/v1/services/{name}/purge', '/healthz']) {
      expect(html).toContain(path);
    }
    expect(html).toContain('DomainRecord');
    expect(html).not.toMatch(/<script|<link|<img|@import/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
  });
});
