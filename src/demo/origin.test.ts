import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoOrigin, type RunningDemoOrigin, startDemoOrigin } from './origin';

describe('demo origin', () => {
  const app = createDemoOrigin({ domain: 'toot.example' });

  it('serves the home page as public HTML that varies on Accept', async () => {
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('vary')).toMatch(/Accept/);
    expect(await response.text()).toContain('toot.example');
  });

  it('answers profiles as HTML or ActivityPub JSON by Accept', async () => {
    const html = await app.request('/@alice');
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const json = await app.request('/users/alice', { headers: { accept: 'application/activity+json' } });
    expect(json.headers.get('content-type')).toMatch(/application\/activity\+json/);
    expect(await json.json()).toMatchObject({ type: 'Person', preferredUsername: 'alice', id: 'https://toot.example/users/alice' });
    expect((await app.request('/@mallory')).status).toBe(404);
  });

  it('answers WebFinger for its accounts only', async () => {
    const found = await app.request('/.well-known/webfinger?resource=acct:bob@toot.example');
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ subject: 'acct:bob@toot.example' });
    expect((await app.request('/.well-known/webfinger?resource=acct:bob@elsewhere.example')).status).toBe(404);
  });

  it('sends the cache headers Mastodon sends', async () => {
    expect((await app.request('/packs/js/app-1a2b.js')).headers.get('cache-control')).toMatch(/max-age=2419200/);
    expect((await app.request('/api/v1/instance')).headers.get('cache-control')).toBe('max-age=300, public');
    expect((await app.request('/system/accounts/avatars/alice.png')).headers.get('cache-control')).toMatch(/immutable/);
    const signIn = await app.request('/auth/sign_in');
    expect(signIn.headers.get('set-cookie')).toMatch(/_mastodon_session/);
    expect(signIn.headers.get('cache-control')).toMatch(/no-store/);
    expect((await app.request('/api/v1/timelines/home')).status).toBe(401);
  });

  it('accepts inbox deliveries', async () => {
    expect((await app.request('/users/alice/inbox', { method: 'POST', body: '{}' })).status).toBe(202);
  });

  describe('over HTTP', () => {
    let origin: RunningDemoOrigin;
    beforeAll(async () => {
      origin = await startDemoOrigin();
    });
    afterAll(() => origin.close());

    it('listens on 127.0.0.1 and counts requests per path', async () => {
      expect(origin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await fetch(`${origin.url}/api/v1/instance`);
      await fetch(`${origin.url}/api/v1/instance`);
      const stats = (await (await fetch(`${origin.url}/__demo/stats`)).json()) as { requests: Record<string, number> };
      expect(stats.requests['GET /api/v1/instance']).toBe(2);
    });
  });
});
