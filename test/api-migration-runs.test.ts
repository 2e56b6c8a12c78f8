import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { systemClock } from '../src/clock';
import { type OpenedControlPlane, openControlPlane } from '../src/lifecycle';
import { MigrationRun } from '../src/migrate/run-model';
import { ServiceInput } from '../src/model';
import { capturingLogger } from './support/capturing-logger';
import { serviceInput } from './support/lifecycle-harness';
import { planForOldSite } from './support/old-account';

// The migration run routes over the real control plane and store: a run is listed, shown,
// retried (as it is while running, refused once cancelled) and cancelled; the old account's token never reaches an answer or the log. No run is stepped here
// (the worker is not ticked), so no Fastly is needed.

const TOKEN = 'migration-api-token-0123456789';
const OLD_TOKEN = 'old-account-token-never-shown';

describe('the migration run routes', () => {
  let opened: OpenedControlPlane;
  let logLines: string[];
  let request: (method: string, path: string) => Promise<Response>;

  beforeEach(async () => {
    opened = await openControlPlane({ fastly: { token: 'no-fastly', baseUrl: 'http://127.0.0.1:9' }, dbPath: ':memory:' });
    const captured = capturingLogger();
    logLines = captured.lines;
    const logger = captured.logger;
    const app = createApiApp({
      controlPlane: opened.controlPlane,
      migrations: { planner: { controlPlane: opened.controlPlane, gatewayFor: opened.gatewayFor, clock: systemClock }, runs: opened.migrations },
      apiTokens: [TOKEN],
      logger,
      metrics: createMetrics(),
    });
    request = (method, path) => Promise.resolve(app.request(path, { method, headers: { authorization: `Bearer ${TOKEN}` } }));
  });
  afterEach(() => opened.close());

  const plan = () =>
    planForOldSite(
      {
        customerId: 'old-customer',
        name: 'old account',
        token: OLD_TOKEN,
        serviceId: 'old-service',
        activeVersion: 3,
        configStoreId: 'old-store',
        domains: [{ domain: 'toot.example', role: 'main' }],
        subscriptions: [{ domain: 'toot.example', id: 'old-subscription' }],
        managedDomain: { id: 'old-managed', fqdn: 'toot.example' },
        certificate: { id: 'old-certificate', domain: 'toot.example', activationId: 'old-activation' },
        origins: ServiceInput.parse(serviceInput('toot')).origins,
      },
      'toot',
      '2026-03-01T19:00:00.000Z',
    );

  it("lists, shows and cancels a run without ever answering or logging the old account's token", async () => {
    const started = await opened.migrations.start(plan(), OLD_TOKEN);
    await expect(opened.migrations.start(plan(), OLD_TOKEN)).rejects.toMatchObject({ code: 'conflict' });

    const listed = await request('GET', '/v1/services/toot/migrations');
    expect(listed.status).toBe(200);
    const listedText = await listed.text();
    expect(JSON.parse(listedText).migrations.map((run: MigrationRun) => [run.id, run.status, run.stepsDone])).toEqual([[started.id, 'running', 0]]);

    const shown = await request('GET', `/v1/services/toot/migrations/${started.id}`);
    const shownText = await shown.text();
    expect(MigrationRun.parse(JSON.parse(shownText))).toEqual(started);
    expect((await request('GET', '/v1/services/toot/migrations/mig_other')).status).toBe(404);
    expect((await request('GET', `/v1/services/elsewhere/migrations/${started.id}`)).status).toBe(404);

    // A running run is retried as it is.
    const retriedRunning = await request('POST', `/v1/services/toot/migrations/${started.id}/retry`);
    expect([retriedRunning.status, MigrationRun.parse(await retriedRunning.json())]).toEqual([200, started]);

    const cancelled = await request('POST', `/v1/services/toot/migrations/${started.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const cancelledText = await cancelled.text();
    const run = MigrationRun.parse(JSON.parse(cancelledText));
    expect(run.status).toBe('cancelled');
    expect(run.nextAttemptAt).toBeNull();
    expect(run.history.at(-1)).toMatchObject({ event: 'cancelled', message: 'Cancelled by the operator after 0 of 10 steps' });
    // Cancelled, it is not retried: a new run is the way.
    const retriedCancelled = await request('POST', `/v1/services/toot/migrations/${started.id}/retry`);
    expect(retriedCancelled.status).toBe(409);
    expect(((await retriedCancelled.json()) as { detail: string }).detail).toContain('only a run that needs attention can be retried');
    // Cancelled, it no longer stands in the way of a new run.
    expect((await opened.migrations.start(plan(), OLD_TOKEN)).status).toBe('running');

    for (const text of [listedText, shownText, cancelledText, ...logLines]) expect(text).not.toContain(OLD_TOKEN);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const document = await (await request('GET', '/openapi.json')).json();
    expect(Object.keys(document.paths).filter((path) => path.includes('/migrations'))).toEqual([
      '/v1/services/{name}/migrations',
      '/v1/services/{name}/migrations/{id}',
      '/v1/services/{name}/migrations/{id}/cancel',
      '/v1/services/{name}/migrations/{id}/retry',
    ]);
    expect(document.components.schemas.MigrationRun.properties).not.toHaveProperty('fromToken');
  });
});
