import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { streamSSE } from 'hono/streaming';
import type { ControlPlane } from '../../src/control-plane';
import { tokenVerifier } from '../auth';
import { APP_SCRIPT } from './app-script';
import { loginPage, operatorPage, publicStatusPage } from './pages';
import { endSession, type Sessions, sessionOf, startSession } from './session';
import { SnapshotReader } from './snapshot';

// The browser side of the API: the login form, the operator page (its script and its live
// updates over Server-Sent Events), and, when switched on, a public read-only status page.

export interface UiOptions {
  controlPlane: ControlPlane;
  apiTokens: readonly string[];
  sessions: Sessions;
  /** Serve GET /status/{service} to anyone (EDGEPLANE_PUBLIC_STATUS). Default off. */
  publicStatus?: boolean;
  /** How often the live page looks for changes. Default 1 s. */
  liveIntervalMs?: number;
  /** Aborted when the server shuts down: open live streams end, so the server can close. */
  closing?: AbortSignal;
}

/** Paths the browser reaches without a session (each checks what it needs itself). */
export function isPublicUiPath(path: string, publicStatus: boolean): boolean {
  return ['/ui', '/ui/', '/ui/app.js', '/ui/login', '/ui/logout'].includes(path) || (publicStatus && path.startsWith('/status/'));
}

/** Only a path on this server: never an open redirect. */
function localPath(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\') ? value : '/ui';
}

export function uiRoutes({ controlPlane, apiTokens, sessions, publicStatus = false, liveIntervalMs = 1_000, closing }: UiOptions): Hono {
  const verify = tokenVerifier(apiTokens);
  const app = new Hono();
  // Forms posted from another site are refused (Origin check), so nobody logs a browser in or out for it.
  app.use('/ui/login', csrf());
  app.use('/ui/logout', csrf());

  app.get('/ui', (c) => {
    const session = sessionOf(c, sessions);
    return c.html(session ? operatorPage(session.csrf) : loginPage({ next: localPath(c.req.query('next')) }), 200, { 'cache-control': 'no-store' });
  });
  app.get('/ui/', (c) => c.redirect('/ui', 301));
  app.get('/ui/app.js', (c) => c.body(APP_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));

  app.post('/ui/login', async (c) => {
    const form = await c.req.parseBody();
    const next = localPath(form.next);
    if (typeof form.token !== 'string' || !verify(form.token.trim())) {
      return c.html(loginPage({ error: 'That token is not valid.', next }), 401, { 'cache-control': 'no-store' });
    }
    startSession(c, sessions);
    return c.redirect(next, 303);
  });

  app.post('/ui/logout', async (c) => {
    const session = sessionOf(c, sessions);
    const form = await c.req.parseBody();
    if (session && form.csrf === session.csrf) endSession(c, sessions);
    return c.redirect('/ui', 303);
  });

  // Authenticated by the API's middleware (bearer or session), like every other path.
  app.get('/ui/events', (c) => {
    // Shutting down: a 503 makes the browser's EventSource stop reconnecting.
    if (closing?.aborted) return c.body(null, 503);
    return streamSSE(c, async (stream) => {
      const reader = new SnapshotReader(controlPlane);
      const closed = new Promise((resolve) => closing?.addEventListener('abort', resolve, { once: true }));
      let last = '';
      while (!stream.aborted && !closing?.aborted) {
        const snapshot = await reader.read(new Date());
        const changed = JSON.stringify(snapshot.services);
        if (changed !== last) {
          last = changed;
          await stream.writeSSE({ event: 'snapshot', data: JSON.stringify(snapshot) });
        }
        await Promise.race([stream.sleep(liveIntervalMs), closed]);
      }
    });
  });

  if (publicStatus) {
    app.get('/status/:service', async (c) => {
      const service = await controlPlane.getService(c.req.param('service'));
      return c.html(publicStatusPage(service.name, service.domains), 200, { 'cache-control': 'max-age=30, public' });
    });
  }
  return app;
}
