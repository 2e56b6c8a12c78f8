import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// A demo origin that answers like a small Mastodon instance (its load balancer and its files
// host), with the headers Mastodon sends, so `npm start` has a site to put the edge in front of.
// It counts requests per path, so a caching edge in front of it shows in /__demo/stats.

export interface DemoOriginOptions {
  /** The instance's domain. Default toot.example. */
  domain?: string;
  /** The files domain (S3_ALIAS_HOST). Default files.<domain>. */
  staticDomain?: string;
  port?: number;
  host?: string;
  /** The access token of @alice, the account that may post statuses. Default demo-alice-token. */
  statusToken?: string;
  /** Called with each new status's text. */
  onStatus?: (status: DemoStatus, text: string) => void;
}

/** A status posted on the demo instance. */
export interface DemoStatus {
  id: string;
  created_at: string;
  content: string;
  visibility: string;
  account: { username: string; acct: string };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface RunningDemoOrigin {
  url: string;
  close(): Promise<void>;
}

// A 1x1 PNG: the avatar every demo account has.
const AVATAR = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const ACTIVITY_JSON = 'application/activity+json; charset=utf-8';
const ACCOUNTS = ['alice', 'bob'];

function wantsActivityJson(accept: string | undefined): boolean {
  return /application\/(activity\+json|ld\+json)/.test(accept ?? '');
}

export function createDemoOrigin(options: DemoOriginOptions = {}): Hono {
  const domain = options.domain ?? 'toot.example';
  const staticDomain = options.staticDomain ?? `files.${domain}`;
  const hits = new Map<string, number>();
  const app = new Hono();
  const statusToken = options.statusToken ?? 'demo-alice-token';
  const statuses: DemoStatus[] = [];
  // Mastodon keeps the answer to a request with an Idempotency-Key and gives it again for the same key.
  const byIdempotencyKey = new Map<string, DemoStatus>();
  let failNextStatuses = 0;

  app.use('*', async (c, next) => {
    const key = `${c.req.method} ${c.req.path}`;
    if (!c.req.path.startsWith('/__demo/')) hits.set(key, (hits.get(key) ?? 0) + 1);
    await next();
    c.header('x-demo-origin', 'mastodon');
  });

  app.get('/__demo/stats', (c) => c.json({ requests: Object.fromEntries(hits) }));

  // Statuses: POST /api/v1/statuses as Mastodon takes it (bearer token, JSON or form body,
  // Idempotency-Key), a page that lists them, and a fault: the next N posts are stored but
  // answered 500, as when a proxy gives up on a slow instance.
  app.post('/__demo/statuses/fail-next', async (c) => {
    failNextStatuses = Number((await c.req.json<{ count?: number }>()).count ?? 1);
    return c.json({ failNext: failNextStatuses });
  });
  app.get('/__demo/statuses.json', (c) => c.json(statuses));
  app.get('/__demo/statuses', (c) =>
    c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Statuses on ${domain}</title></head><body><main><h1>Statuses on ${domain}</h1>`
        + (statuses.length === 0
          ? '<p>No statuses yet.</p>'
          : `<ol>${statuses.map((s) => `<li><p><b>@${s.account.username}</b> · ${s.visibility} · <time>${s.created_at}</time></p>${s.content}</li>`).join('')}</ol>`)
        + '</main></body></html>',
      200,
      { 'cache-control': 'private, no-store' },
    ),
  );
  app.post('/api/v1/statuses', async (c) => {
    if (c.req.header('authorization') !== `Bearer ${statusToken}`) return c.json({ error: 'The access token is invalid' }, 401);
    const key = c.req.header('idempotency-key');
    const known = key ? byIdempotencyKey.get(key) : undefined;
    if (known) return c.json(known, 200);
    const body = (c.req.header('content-type') ?? '').includes('json') ? await c.req.json<Record<string, unknown>>() : await c.req.parseBody();
    const text = typeof body.status === 'string' ? body.status : '';
    if (!text) return c.json({ error: "Validation failed: Text can't be blank" }, 422);
    const status: DemoStatus = {
      id: String(100000 + statuses.length + 1),
      created_at: new Date().toISOString(),
      content: `<p>${escapeHtml(text)}</p>`,
      visibility: typeof body.visibility === 'string' ? body.visibility : 'public',
      account: { username: 'alice', acct: 'alice' },
    };
    statuses.push(status);
    if (key) byIdempotencyKey.set(key, status);
    options.onStatus?.(status, text);
    if (failNextStatuses > 0) {
      failNextStatuses -= 1;
      return c.json({ error: "We're sorry, but something went wrong on our end." }, 500);
    }
    return c.json(status, 200);
  });

  // The files domain: what S3_ALIAS_HOST points to.
  app.get('/system/*', (c) => {
    if (!c.req.path.match(/\.(png|jpe?g|webp|gif|mp4)$/)) return c.text('Not found', 404, { 'cache-control': 'public, max-age=10' });
    return c.body(AVATAR, 200, {
      'content-type': 'image/png',
      'cache-control': 'public, max-age=315576000, immutable',
      'x-amz-request-id': 'demo',
    });
  });

  app.get('/health', (c) => c.text('OK', 200, { 'cache-control': 'private, no-store' }));
  app.get('/api/v1/streaming/health', (c) => c.text('OK', 200, { 'cache-control': 'private, no-store' }));

  app.get('/', (c) =>
    c.html(
      `<!doctype html><html><head><title>${domain}</title><link rel="stylesheet" href="/packs/css/common-5f1a2b.css"></head>`
        + `<body><h1>${domain}</h1><p>A small Mastodon instance (demo origin), served through edgeplane.</p>`
        + ACCOUNTS.map((name) => `<p><a href="/@${name}"><img src="https://${staticDomain}/system/accounts/avatars/${name}.png" alt="">@${name}</a></p>`).join(
          '',
        )
        + '</body></html>',
      200,
      { 'cache-control': 'max-age=0, public', vary: 'Accept, Accept-Encoding' },
    ),
  );

  app.get('/packs/*', (c) => {
    const css = c.req.path.endsWith('.css');
    return c.body(css ? 'body{font-family:sans-serif}' : 'console.log("mastodon")', 200, {
      'content-type': css ? 'text/css' : 'text/javascript',
      'cache-control': 'public, max-age=2419200, must-revalidate',
    });
  });

  app.get('/favicon.ico', (c) => c.body(AVATAR, 200, { 'content-type': 'image/png' }));
  app.get('/sw.js', (c) => c.body('self.addEventListener("fetch", () => {})', 200, { 'content-type': 'text/javascript' }));

  const instance = () => ({
    uri: domain,
    domain,
    title: `${domain} (demo)`,
    version: '4.3.0',
    description: 'A small Mastodon instance behind edgeplane.',
    stats: { user_count: ACCOUNTS.length, status_count: 42, domain_count: 7 },
  });
  app.get('/api/v1/instance', (c) => c.json(instance(), 200, { 'cache-control': 'max-age=300, public', vary: 'Accept-Encoding' }));
  app.get('/api/v2/instance', (c) => c.json(instance(), 200, { 'cache-control': 'max-age=300, public', vary: 'Accept-Encoding' }));
  app.get('/api/v1/custom_emojis', (c) => c.json([], 200, { 'cache-control': 'max-age=180, public' }));
  app.get('/api/v1/timelines/home', (c) =>
    c.req.header('authorization')
      ? c.json([], 200, { 'cache-control': 'private, no-store' })
      : c.json({ error: 'The access token is invalid' }, 401, { 'cache-control': 'private, no-store' }),
  );
  app.get('/api/v1/timelines/public', (c) => c.json([], 200, { 'cache-control': 'private, no-store' }));

  app.get('/.well-known/webfinger', (c) => {
    const resource = c.req.query('resource') ?? '';
    const name = /^acct:([^@]+)@(.+)$/.exec(resource);
    if (!name || name[2] !== domain || !ACCOUNTS.includes(name[1]!)) return c.json({ error: 'not found' }, 404, { 'cache-control': 'max-age=180, public' });
    return c.json(
      {
        subject: resource,
        aliases: [`https://${domain}/@${name[1]}`, `https://${domain}/users/${name[1]}`],
        links: [{ rel: 'self', type: 'application/activity+json', href: `https://${domain}/users/${name[1]}` }],
      },
      200,
      { 'content-type': 'application/jrd+json; charset=utf-8', 'cache-control': 'max-age=259200, public', vary: 'Accept, Accept-Encoding, Origin' },
    );
  });
  app.get('/.well-known/nodeinfo', (c) =>
    c.json({ links: [{ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `https://${domain}/nodeinfo/2.0` }] }, 200, {
      'cache-control': 'max-age=259200, public',
    }),
  );
  app.get('/nodeinfo/2.0', (c) =>
    c.json(
      { version: '2.0', software: { name: 'mastodon', version: '4.3.0' }, protocols: ['activitypub'], usage: { users: { total: ACCOUNTS.length } } },
      200,
      {
        'cache-control': 'max-age=1800, public',
      },
    ),
  );

  const actor = (name: string) => ({
    '@context': ['https://www.w3.org/ns/activitystreams'],
    id: `https://${domain}/users/${name}`,
    type: 'Person',
    preferredUsername: name,
    inbox: `https://${domain}/users/${name}/inbox`,
    outbox: `https://${domain}/users/${name}/outbox`,
    icon: { type: 'Image', url: `https://${staticDomain}/system/accounts/avatars/${name}.png` },
  });
  const profile = (c: import('hono').Context, name: string | undefined) => {
    if (!name || !ACCOUNTS.includes(name)) return c.text('Not found', 404, { 'cache-control': 'max-age=0, public' });
    const headers = { 'cache-control': 'max-age=180, public', vary: 'Accept, Accept-Encoding, Origin' };
    if (wantsActivityJson(c.req.header('accept'))) return c.body(JSON.stringify(actor(name)), 200, { ...headers, 'content-type': ACTIVITY_JSON });
    return c.html(`<!doctype html><html><head><title>@${name}@${domain}</title></head><body><h1>@${name}</h1></body></html>`, 200, headers);
  };
  app.get('/:handle{@[A-Za-z0-9_]+}', (c) => profile(c, c.req.param('handle').slice(1)));
  app.get('/users/:name', (c) => profile(c, c.req.param('name')));

  app.post('/inbox', (c) => c.body(null, 202));
  app.post('/users/:name/inbox', (c) => c.body(null, 202));

  app.get('/auth/sign_in', (c) =>
    c.html('<form method="post"><input name="email"></form>', 200, {
      'cache-control': 'private, no-store',
      'set-cookie': '_mastodon_session=demo; path=/; secure; HttpOnly; SameSite=Lax',
    }),
  );

  app.notFound((c) => c.text('The page you are looking for is not here.', 404, { 'cache-control': 'max-age=0, public' }));
  return app;
}

export async function startDemoOrigin(options: DemoOriginOptions = {}): Promise<RunningDemoOrigin> {
  const app = createDemoOrigin(options);
  const host = options.host ?? '127.0.0.1';
  let server!: ReturnType<typeof serve>;
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, (info) => resolve(info));
    server.once('error', reject);
  });
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }),
  };
}
