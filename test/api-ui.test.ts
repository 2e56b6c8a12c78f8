import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { type OpenedControlPlane, openControlPlane } from '../src/lifecycle';
import { storedService } from './support/stored-service';

// The browser side of the API over the real control plane: the login form, the session cookie,
// CSRF on changes, the docs in the session, the live stream, and the public status page.

const TOKEN = 'ui-api-token-0123456789';
const ORIGIN = 'http://localhost';

describe('the browser pages', () => {
  let opened: OpenedControlPlane;
  let closing: AbortController;

  async function app(publicStatus = false) {
    return createApiApp({
      controlPlane: opened.controlPlane,
      apiTokens: [TOKEN],
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(),
      publicStatus,
      liveIntervalMs: 20,
      closing: closing.signal,
    });
  }

  beforeEach(async () => {
    opened = await openControlPlane({ fastly: { token: 'no-fastly', baseUrl: 'http://127.0.0.1:9' }, dbPath: ':memory:' });
    closing = new AbortController();
    await opened.store.putService(storedService('toot'));
    await opened.controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
  });
  afterEach(async () => {
    closing.abort();
    await opened.close();
  });

  async function login(api: Awaited<ReturnType<typeof app>>, token = TOKEN, next?: string) {
    const form = new URLSearchParams({ token, ...(next ? { next } : {}) });
    return api.request('/ui/login', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN } });
  }

  it('shows a login form, sets an HttpOnly SameSite=Strict session cookie for a good token, and refuses a bad one', async () => {
    const api = await app();
    const form = await api.request('/ui', { headers: { accept: 'text/html' } });
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toMatch(/<label for="token">API token<\/label>/);
    expect(html).toMatch(/<form method="post" action="\/ui\/login">/);

    const bad = await login(api, 'wrong-token-000000000');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect(await bad.text()).toMatch(/role="alert">That token is not valid/);

    const good = await login(api);
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/ui');
    const cookie = good.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^edgeplane_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);

    // A form posted from another site is refused.
    const forged = await api.request('/ui/login', {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    });
    expect(forged.status).toBe(403);
    // The next page is only ever one of ours.
    expect((await login(api, TOKEN, '//evil.example/x')).headers.get('location')).toBe('/ui');
    expect((await login(api, TOKEN, '/docs')).headers.get('location')).toBe('/docs');
  });

  it('opens the operator page, the docs and the API in the session, and asks for the CSRF token on changes', async () => {
    const api = await app();
    const cookie = (await login(api)).headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await api.request('/ui', { headers: { cookie } })).text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1]!;
    expect(page).toContain('<script src="/ui/app.js" defer></script>');
    expect((await api.request('/ui/app.js')).headers.get('content-type')).toMatch(/javascript/);

    expect((await api.request('/docs', { headers: { cookie } })).status).toBe(200);
    expect((await api.request('/openapi.json', { headers: { cookie } })).status).toBe(200);
    expect((await api.request('/v1/services/toot', { headers: { cookie } })).status).toBe(200);
    // Without a session a browser is sent to the login form, and comes back after it.
    const away = await api.request('/docs', { headers: { accept: 'text/html' } });
    expect(away.status).toBe(303);
    expect(away.headers.get('location')).toBe('/ui?next=%2Fdocs');
    expect((await api.request('/openapi.json')).status).toBe(401);

    const retry = '/v1/services/toot/domains/toot.example/retry';
    const noToken = await api.request(retry, { method: 'POST', headers: { cookie } });
    expect(noToken.status).toBe(403);
    expect((await noToken.json()).detail).toMatch(/x-csrf-token/);
    expect((await api.request(retry, { method: 'POST', headers: { cookie, 'x-csrf-token': 'not-it' } })).status).toBe(403);
    expect((await api.request(retry, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } })).status).toBe(202);
    // Bearer tokens keep working, without any CSRF token.
    expect((await api.request(retry, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(202);

    // Logging out ends the session.
    const out = await api.request('/ui/logout', {
      method: 'POST',
      body: new URLSearchParams({ csrf }),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
    });
    expect(out.status).toBe(303);
    expect((await api.request('/v1/services/toot', { headers: { cookie } })).status).toBe(401);
  });

  it('streams a snapshot of every service and its domains, and another when a record changes', async () => {
    const api = await app();
    const response = await api.request('/ui/events', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const nextSnapshot = async () => {
      let text = '';
      while (!text.includes('\n\n')) text += (await reader.read()).value ?? '';
      expect(text).toMatch(/^event: snapshot\n/);
      return JSON.parse(/\ndata: (.*)\n/.exec(text)![1]!);
    };
    const first = await nextSnapshot();
    expect(first.services).toHaveLength(1);
    expect(first.services[0]).toMatchObject({
      name: 'toot',
      status: 'ready',
      domains: [expect.objectContaining({ domain: 'toot.example', state: 'queued', history: [expect.objectContaining({ event: 'attach_requested' })] })],
    });
    await opened.controlPlane.retryDomain('toot', 'toot.example');
    const second = await nextSnapshot();
    expect(second.services[0].domains[0].history.at(-1)).toMatchObject({ event: 'retry_requested' });
    await reader.cancel();
    // Without credentials there is no stream.
    expect((await api.request('/ui/events')).status).toBe(401);
  });

  it('serves the public status page only when switched on', async () => {
    expect((await (await app()).request('/status/toot')).status).toBe(401);
    const page = await (await app(true)).request('/status/toot');
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<b>toot\.example<\/b>: Moving to a faster network soon\./);
    expect((await (await app(true)).request('/status/nope')).status).toBe(404);
  });
});
