import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { type ApiServer, startApiServer } from '../api/server';
import { type OpenedControlPlane, openControlPlane } from '../src/lifecycle';
import { storedService } from '../test/support/stored-service';
import { ApiClient } from './client';

// The CLI's client against the real API over HTTP on 127.0.0.1, on the real control plane and a
// store in memory. Attaching only queues a record, so no Fastly is needed.

const TOKEN = 'client-test-token-0123456789';

let opened: OpenedControlPlane;
let server: ApiServer;
/** Status of every answer the API gave, in order. */
let statuses: number[];

beforeEach(async () => {
  opened = await openControlPlane({ fastly: { token: 'no-fastly', baseUrl: 'http://127.0.0.1:9' }, dbPath: ':memory:' });
  await opened.store.putService(storedService('toot'));
  const app = createApiApp({ controlPlane: opened.controlPlane, apiTokens: [TOKEN], logger: pino({ level: 'silent' }), metrics: createMetrics() });
  statuses = [];
  server = await startApiServer({
    app: {
      fetch: async (request) => {
        const response = await app.fetch(request);
        statuses.push(response.status);
        return response;
      },
    },
    port: 0,
  });
});

afterEach(async () => {
  await server.close();
  await opened.close();
});

describe('ApiClient', () => {
  it('revalidates a domain page it has read: 304 and the same page while unchanged, the new page after a write', async () => {
    const client = new ApiClient({ url: server.url, token: TOKEN });
    await client.attachDomain('toot', { domain: 'a.example', role: 'main' });
    statuses = [];

    const first = await client.listDomains('toot');
    const again = await client.listDomains('toot');
    expect(statuses).toEqual([200, 304]);
    expect(again).toEqual(first);
    expect(again.map((summary) => summary.domain)).toEqual(['a.example']);

    await client.attachDomain('toot', { domain: 'files.example', role: 'static' });
    statuses = [];
    const after = await client.listDomains('toot');
    expect(statuses).toEqual([200]);
    expect(after.map((summary) => summary.domain)).toEqual(['a.example', 'files.example']);
  });

  it('asks without a tag for a page it has not read', async () => {
    const client = new ApiClient({ url: server.url, token: TOKEN });
    await client.listDomainPage('toot', { limit: 1 });
    await client.listDomainPage('toot', { limit: 2 });
    await new ApiClient({ url: server.url, token: TOKEN }).listDomainPage('toot', { limit: 1 });
    expect(statuses).toEqual([200, 200, 200]);
  });
});
