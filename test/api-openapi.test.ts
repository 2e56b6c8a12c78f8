import { describe, expect, it } from 'vitest';
import { DomainState } from '../src/model';
import { apiHarness } from './api-harness';

type Json = Record<string, unknown>;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else refsIn(child, found);
    }
  }
  return found;
}

/** The structural rules of OpenAPI 3.1 that a generator can get wrong; returns every violation. */
function violations(doc: Json): string[] {
  const problems: string[] = [];
  if (doc.openapi !== '3.1.0') problems.push(`openapi is ${String(doc.openapi)}`);
  const info = doc.info as Json | undefined;
  if (typeof info?.title !== 'string' || typeof info?.version !== 'string') problems.push('info.title/version missing');
  const components = (doc.components ?? {}) as { schemas?: Json; securitySchemes?: Json };
  for (const requirement of (doc.security ?? []) as Json[]) {
    for (const name of Object.keys(requirement)) {
      if (!components.securitySchemes?.[name]) problems.push(`security scheme ${name} is not defined`);
    }
  }
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
    for (const [method, operation] of Object.entries(item) as [string, Json][]) {
      if (!METHODS.has(method)) {
        problems.push(`${path}: ${method} is not an HTTP method`);
        continue;
      }
      const where = `${method.toUpperCase()} ${path}`;
      const responses = (operation.responses ?? {}) as Json;
      if (!Object.keys(responses).some((status) => /^2\d\d$/.test(status))) problems.push(`${where}: no 2xx response`);
      for (const [status, response] of Object.entries(responses) as [string, Json][]) {
        if (!/^[1-5](\d\d|XX)$/.test(status) && status !== 'default') problems.push(`${where}: bad status ${status}`);
        if (typeof response.description !== 'string') problems.push(`${where} ${status}: no description`);
      }
      const parameters = (operation.parameters ?? []) as Json[];
      for (const name of templated) {
        const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
        if (!parameter) problems.push(`${where}: path parameter ${name} not declared`);
        else if (parameter.required !== true) problems.push(`${where}: path parameter ${name} not required`);
      }
      for (const parameter of parameters.filter((p) => p.in === 'path')) {
        if (!templated.includes(String(parameter.name))) problems.push(`${where}: declares unknown path parameter ${String(parameter.name)}`);
      }
      if (typeof operation.operationId === 'string') {
        if (operationIds.has(operation.operationId)) problems.push(`${where}: duplicate operationId`);
        operationIds.add(operation.operationId);
      }
    }
  }
  for (const ref of refsIn(doc)) {
    const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
    if (!match || !components.schemas?.[match[1]!]) problems.push(`unresolved $ref ${ref}`);
  }
  return problems;
}

async function document() {
  const { request } = apiHarness();
  const response = await request('GET', '/openapi.json');
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

describe('GET /openapi.json', () => {
  it('is a structurally valid OpenAPI 3.1 document', async () => {
    expect(violations(await document())).toEqual([]);
  });

  it('the validity check catches broken documents', async () => {
    const doc = await document();
    const broken = structuredClone(doc) as { paths: Record<string, Json>; openapi: string };
    broken.openapi = '3.0.0';
    broken.paths['/v1/services/{name}/extra/{id}'] = { get: { responses: { 200: { $ref: '#/components/schemas/Nope' } } } };
    expect(violations(broken as unknown as Json)).toEqual(
      expect.arrayContaining([
        'openapi is 3.0.0',
        'GET /v1/services/{name}/extra/{id}: path parameter name not declared',
        'unresolved $ref #/components/schemas/Nope',
      ]),
    );
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
