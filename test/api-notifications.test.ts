import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { type OpenedControlPlane, openControlPlane } from '../src/lifecycle';
import { ChannelView } from '../src/notify/model';
import { capturingLogger } from './support/capturing-logger';
import { storedService } from './support/stored-service';

// The notification routes over the real control plane and store: channels are added, listed
// without their secrets, tested and removed; the secrets never reach an answer or the log.

const TOKEN = 'notify-api-token-0123456789';
const SECRET = 'whsec_dGhpcy1pcy10aGUtYXBpLXRlc3Qtc2VjcmV0';
const MASTODON_TOKEN = 'mastodon-access-token-never-shown';

describe('the notification routes', () => {
  let opened: OpenedControlPlane;
  let logLines: string[];
  let request: (method: string, path: string, body?: unknown) => Promise<Response>;

  beforeEach(async () => {
    opened = await openControlPlane({ fastly: { token: 'no-fastly', baseUrl: 'http://127.0.0.1:9' }, dbPath: ':memory:' });
    await opened.store.putService(storedService('toot'));
    const captured = capturingLogger();
    logLines = captured.lines;
    const logger = captured.logger;
    const app = createApiApp({ controlPlane: opened.controlPlane, notifications: opened.notifications, apiTokens: [TOKEN], logger, metrics: createMetrics() });
    request = async (method, path, body) =>
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
  });
  afterEach(() => opened.close());

  it('adds, lists, tests and removes channels without ever answering or logging a secret', async () => {
    const webhook = await request('POST', '/v1/services/toot/notifications', {
      kind: 'webhook',
      url: 'http://127.0.0.1:2/hooks',
      secret: SECRET,
      events: ['domain.cached'],
    });
    expect(webhook.status).toBe(201);
    const created = ChannelView.parse(await webhook.json());
    expect(created).toMatchObject({
      kind: 'webhook',
      target: 'http://127.0.0.1:2/hooks',
      events: ['domain.cached'],
      visibility: null,
      delivery: { delivered: 0, pending: 0, lastFailure: null },
    });
    const mastodon = await request('POST', '/v1/services/toot/notifications', {
      kind: 'mastodon',
      instance: 'http://127.0.0.1:9',
      accessToken: MASTODON_TOKEN,
    });
    expect(mastodon.status).toBe(201);
    expect(await mastodon.json()).toMatchObject({ kind: 'mastodon', visibility: 'unlisted', events: null });

    const listed = await request('GET', '/v1/services/toot/notifications');
    const listedText = await listed.text();
    expect(JSON.parse(listedText).channels.map((c: ChannelView) => c.kind)).toEqual(['webhook', 'mastodon']);

    // Nobody listens on port 2 (not one of the ports fetch refuses): the test says so instead of failing the request.
    const tested = await request('POST', `/v1/services/toot/notifications/${created.id}/test`);
    expect(tested.status).toBe(200);
    expect(await tested.json()).toMatchObject({ delivered: false, error: expect.stringMatching(/ECONNREFUSED|connect/) });

    expect((await request('DELETE', `/v1/services/toot/notifications/${created.id}`)).status).toBe(204);
    expect((await request('DELETE', `/v1/services/toot/notifications/${created.id}`)).status).toBe(404);
    for (const text of [listedText, ...logLines]) {
      expect(text).not.toContain(SECRET.slice('whsec_'.length));
      expect(text).not.toContain(MASTODON_TOKEN);
    }
  });

  it('refuses bad channels and unknown services, and documents the routes', async () => {
    const bad = await request('POST', '/v1/services/toot/notifications', { kind: 'webhook', url: 'ftp://hooks.example', secret: 'short' });
    expect(bad.status).toBe(400);
    const badText = await bad.text();
    expect(badText).toMatch(/url/);
    expect(badText).not.toContain('"short"');
    expect((await request('POST', '/v1/services/toot/notifications', { kind: 'sms', to: '+1' })).status).toBe(400);
    expect((await request('POST', '/v1/services/nope/notifications', { kind: 'webhook', url: 'http://127.0.0.1:9/', secret: SECRET })).status).toBe(404);
    expect((await request('GET', '/v1/services/nope/notifications')).status).toBe(404);
    const document = await (await request('GET', '/openapi.json')).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/services/{name}/notifications', '/v1/services/{name}/notifications/{id}', '/v1/services/{name}/notifications/{id}/test']),
    );
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['NotificationChannelInput', 'NotificationChannel']));
  });
});
