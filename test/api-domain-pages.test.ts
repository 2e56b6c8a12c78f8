import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { type OpenedControlPlane, openControlPlane } from '../src/lifecycle';
import { DomainPage, DomainRecord, ServiceRecord } from '../src/model';
import { openStore } from '../src/store';
import { storedService } from './support/stored-service';

// The domain list, the service's domain states and the domains-by-state gauge through the API
// over the real control plane and store. Attaching only queues a record, so no Fastly is needed:
// the gateway points at a closed port and the worker is never started.

const TOKEN = 'pages-api-token-0123456789';

describe('the domain list over the real control plane', () => {
  let opened: OpenedControlPlane;
  let request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;

  beforeEach(async () => {
    opened = await openControlPlane({ fastly: { token: 'no-fastly', baseUrl: 'http://127.0.0.1:9' }, dbPath: ':memory:' });
    await opened.store.putService(storedService('toot'));
    await opened.store.putService(storedService('other'));
    const app = createApiApp({ controlPlane: opened.controlPlane, apiTokens: [TOKEN], logger: pino({ level: 'silent' }), metrics: createMetrics() });
    request = async (method, path, body, headers = {}) =>
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
  });
  afterEach(() => opened.close());

  // A service has one main host; the others in these lists are its aliases.
  async function attach(service: string, domain: string, role: 'main' | 'alias' | 'static' = 'alias') {
    expect((await request('POST', `/v1/services/${service}/domains`, { domain, role })).status).toBe(202);
  }

  it('follows the pages in name order, each item without history, to a null cursor', async () => {
    const names = ['e.example', 'b.example', 'bücher.example', 'a.example', 'd.example'];
    for (const domain of names) await attach('toot', domain);
    await attach('other', 'c.example');

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const response = await request('GET', `/v1/services/toot/domains?limit=2${after === null ? '' : `&after=${encodeURIComponent(after)}`}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: Record<string, unknown>[] };
      expect(body.items.every((item) => !('history' in item))).toBe(true);
      const page = DomainPage.parse(body);
      seen.push(...page.items.map((item) => item.domain));
      after = page.next;
      pages++;
    } while (after !== null);
    expect(seen).toEqual(['a.example', 'b.example', 'd.example', 'e.example', 'xn--bcher-kva.example']);
    expect(pages).toBe(3);

    const single = DomainRecord.parse(await (await request('GET', '/v1/services/toot/domains/a.example')).json());
    expect(single.history.map((event) => event.event)).toEqual(['attach_requested']);
  });

  it('takes a cursor in any case or in Unicode, as domains in paths are', async () => {
    for (const domain of ['a.example', 'bücher.example', 'z.example']) await attach('toot', domain);
    const page = DomainPage.parse(await (await request('GET', `/v1/services/toot/domains?after=${encodeURIComponent('BÜCHER.example')}`)).json());
    expect(page).toMatchObject({ items: [{ domain: 'z.example' }], next: null });
  });

  it('answers the default page of 100 when no limit is given', async () => {
    for (let index = 0; index < 101; index++) await attach('toot', `site${String(index).padStart(3, '0')}.example`);
    const page = DomainPage.parse(await (await request('GET', '/v1/services/toot/domains')).json());
    expect(page.items).toHaveLength(100);
    expect(page.next).toBe('site099.example');
  });

  it('refuses a cursor that is not a domain name, and an unknown service', async () => {
    const bad = await request('GET', '/v1/services/toot/domains?after=not%20a%20domain');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(await bad.json()).toMatchObject({ code: 'invalid_input', detail: expect.stringContaining('cursor "after"') });
    expect((await request('GET', '/v1/services/nope/domains')).status).toBe(404);
  });

  it('is described in the OpenAPI document: limit and after in the query, a page of summaries', async () => {
    const doc = (await (await request('GET', '/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: { name: string; in: string; schema: Record<string, unknown> }[]; responses: Record<string, any> } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const list = doc.paths['/v1/services/{name}/domains']!.get;
    const query = Object.fromEntries(list.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema]));
    expect(query.limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: 100 });
    expect(query.after).toMatchObject({ type: 'string' });
    expect(list.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/DomainPage' });
    expect(Object.keys(doc.components.schemas.DomainPage!.properties)).toEqual(['items', 'next']);
    expect(Object.keys(doc.components.schemas.DomainSummary!.properties)).not.toContain('history');
    expect(Object.keys(doc.components.schemas.DomainRecord!.properties)).toContain('history');
  });

  it('gives the service its domain states and the gauge its counts by state', async () => {
    await attach('toot', 'toot.example', 'main');
    await attach('toot', 'files.toot.example', 'static');
    await attach('other', 'other.example', 'main');
    // Cancelling a queued domain asks Fastly first; the record is moved in the store instead.
    const queued = await opened.store.getDomain('toot', 'toot.example');
    await opened.store.saveDomain({ ...queued!, state: 'cancelled', nextAttemptAt: null });

    const service = ServiceRecord.parse(await (await request('GET', '/v1/services/toot')).json());
    expect(service.domains).toEqual([
      { domain: 'files.toot.example', role: 'static', state: 'queued' },
      { domain: 'toot.example', role: 'main', state: 'cancelled' },
    ]);
    const metrics = await (await request('GET', '/metrics')).text();
    expect(metrics).toMatch(/^edgeplane_domains\{state="queued"\} 2$/m);
    expect(metrics).toMatch(/^edgeplane_domains\{state="cancelled"\} 1$/m);
    expect(metrics).toMatch(/^edgeplane_domains\{state="cached"\} 0$/m);
  });

  it("shows every write at once: its own, and another process's on the same database", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeplane-pages-'));
    const shared = await openControlPlane({ fastly: { token: 'no-fastly', baseUrl: 'http://127.0.0.1:9' }, dbPath: join(dir, 'edgeplane.db') });
    // A worker process: its own connection to the same file.
    const worker = await openStore(join(dir, 'edgeplane.db'));
    try {
      await shared.store.putService(storedService('toot'));
      const app = createApiApp({ controlPlane: shared.controlPlane, apiTokens: [TOKEN], logger: pino({ level: 'silent' }), metrics: createMetrics() });
      const list = async () =>
        DomainPage.parse(await (await app.request('/v1/services/toot/domains', { headers: { authorization: `Bearer ${TOKEN}` } })).json());
      const states = async () => (await list()).items.map((item) => [item.domain, item.state, item.attempts]);

      await shared.controlPlane.attachDomain('toot', { domain: 'a.example', role: 'main' });
      expect(await states()).toEqual([['a.example', 'queued', 0]]);
      expect(await states()).toEqual([['a.example', 'queued', 0]]);

      const queued = (await worker.getDomain('toot', 'a.example'))!;
      await worker.saveDomain({ ...queued, state: 'attaching', attempts: 1 });
      expect(await states()).toEqual([['a.example', 'attaching', 1]]);

      await shared.controlPlane.attachDomain('toot', { domain: 'b.example', role: 'static' });
      expect(await states()).toEqual([
        ['a.example', 'attaching', 1],
        ['b.example', 'queued', 0],
      ]);

      // A write to another service's domains changes nothing here.
      await shared.store.putService(storedService('other'));
      await worker.saveDomain({ ...queued, service: 'other', domain: 'c.example' });
      expect(await states()).toEqual([
        ['a.example', 'attaching', 1],
        ['b.example', 'queued', 0],
      ]);
    } finally {
      await worker.close();
      await shared.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 304 without a body to a poller that has the page, and the whole page again after a write', async () => {
    await attach('toot', 'a.example');
    await attach('toot', 'b.example');
    const first = await request('GET', '/v1/services/toot/domains');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const unchanged = await request('GET', '/v1/services/toot/domains', undefined, { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');
    // Another page of the same service has its own tag.
    expect((await request('GET', '/v1/services/toot/domains?limit=1', undefined, { 'if-none-match': etag })).status).toBe(200);

    await attach('toot', 'c.example');
    const changed = await request('GET', '/v1/services/toot/domains', undefined, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(DomainPage.parse(await changed.json()).items.map((item) => item.domain)).toEqual(['a.example', 'b.example', 'c.example']);
  });
});
