import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalEdge, startLocalEdge } from '../edge/local/server';
import type { EdgeLogEntry } from '../edge/platform';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { CONFIG_STORE_LINK_NAME, siteWithHosts } from '../src/site-config';

// The local edge end to end: real HTTP on 127.0.0.1 between a client, the edge, a small
// Mastodon-like origin and the Fastly simulator holding the Config Store.

interface OriginLog {
  path: string;
  headers: IncomingHttpHeaders;
}

/** A Mastodon-like origin: answers depend on who asks, and it counts every request it gets. */
function startOrigin(): Promise<{ url: string; seen: OriginLog[]; close(): Promise<void> }> {
  const seen: OriginLog[] = [];
  let served = 0;
  const server: Server = createServer((req, res) => {
    served += 1;
    const path = req.url ?? '/';
    seen.push({ path, headers: req.headers });
    const who = req.headers.cookie ? `user:${req.headers.cookie}` : 'anonymous';
    if (path === '/about') {
      // A careless origin: a personalised page that claims to be cacheable.
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'public, max-age=600' });
      res.end(`<p>about, for ${who}, #${served}</p>`);
    } else if (path === '/users/alice/settings-preview') {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'private, max-age=600' });
      res.end(`<p>private #${served}</p>`);
    } else if (path === '/users/alice' || path === '/@alice') {
      const activitypub = /activity\+json/.test(req.headers.accept ?? '');
      res.writeHead(200, {
        'content-type': activitypub ? 'application/activity+json' : 'text/html',
        'cache-control': 'public, max-age=180',
        vary: 'Accept',
      });
      res.end(activitypub ? JSON.stringify({ type: 'Person', id: 'alice', served }) : `<html>alice #${served}</html>`);
    } else if (path.startsWith('/api/v1/streaming/public')) {
      // Server-sent events: one event now, and the stream stays open.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write('event: update\ndata: {"id":"1"}\n\n');
    } else if (path === '/api/v1/instance/domain_blocks') {
      // Answers depend on the token, and say so with Vary (Api::BaseController's vary_by 'Authorization').
      const token = req.headers.authorization ?? 'anonymous';
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=600', vary: 'Authorization' });
      res.end(JSON.stringify({ for: token, served }));
    } else if (path.toLowerCase().startsWith('/system/backups/')) {
      // A careless origin on case-insensitive storage: a user's backup marked public.
      res.writeHead(200, { 'content-type': 'application/zip', 'cache-control': 'public, max-age=600' });
      res.end(`backup of ${who} #${served}`);
    } else if (path.startsWith('/packs/')) {
      // A framework that builds URLs from whatever forwarded headers it gets.
      const steered = [req.headers['x-forwarded-host'], req.headers.forwarded, req.headers['x-original-url'], req.headers['x-http-method-override']].filter(
        Boolean,
      );
      res.writeHead(200, { 'content-type': 'application/javascript' });
      res.end(`// pack #${served}${steered.length > 0 ? ` steered by ${steered.join(' ')}` : ''}`);
    } else if (path.startsWith('/media/')) {
      res.writeHead(200, { 'content-type': 'image/png', 'x-amz-request-id': 'abc', 'set-cookie': 'AWSALB=1' });
      res.end('0123456789');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  // The streaming server: accepts the upgrade, then echoes what it gets.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req, socket) => {
    upgraded.add(socket);
    seen.push({ path: req.url ?? '/', headers: req.headers });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (data) => socket.write(data));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            for (const socket of upgraded) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

let sim: RunningSimulator;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let edge: RunningLocalEdge;
let storeId: string;
const logs: EdgeLogEntry[] = [];

async function fastly(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'fastly-key': sim.defaultAccount.token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok).toBe(true);
  return response.json() as Promise<Record<string, unknown>>;
}

const setItem = (key: string, value: string) => fastly('PUT', `/resources/stores/config/${storeId}/item/${encodeURIComponent(key)}`, { item_value: value });

async function get(host: string, path: string, headers: Record<string, string> = {}) {
  const response = await request(`${edge.url}${path}`, { headers: { host, ...headers } });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

const hits = (path: string) => origin.seen.filter((entry) => entry.path === path).length;

beforeAll(async () => {
  sim = await startSimulator();
  origin = await startOrigin();
  storeId = String((await fastly('POST', '/resources/stores/config', { name: 'edgeplane-toot' })).id);
  // The edge finds the store as Fastly's Wasm does: linked to the service's active version under the link name.
  const serviceId = String((await fastly('POST', '/service', { name: 'toot', type: 'vcl' })).id);
  await fastly('POST', `/service/${serviceId}/version/1/resource`, { resource_id: storeId, name: CONFIG_STORE_LINK_NAME });
  await fastly('PUT', `/service/${serviceId}/version/1/activate`);
  await setItem('site', JSON.stringify(siteWithHosts({ main: ['toot.example'], redirect: ['www.toot.example'], static: ['files.toot.example'] })));
  await setItem('caching:toot.example', 'on');
  await setItem('caching:files.toot.example', 'on');
  edge = await startLocalEdge({
    originMain: origin.url,
    originStatic: origin.url,
    fastlyUrl: sim.url,
    fastlyToken: sim.defaultAccount.token,
    service: 'toot',
    // Read the store on every request, so a flipped switch shows on the very next one.
    configRefreshMs: 0,
    log: (entry) => logs.push(entry),
  });
});

afterAll(async () => {
  await edge?.close();
  await origin?.close();
  await sim?.close();
});

describe('local edge', () => {
  it('never serves a private response to a second client', async () => {
    const first = await get('toot.example', '/users/alice/settings-preview');
    const second = await get('toot.example', '/users/alice/settings-preview');
    expect(first.body).not.toBe(second.body);
    expect(hits('/users/alice/settings-preview')).toBe(2);
  });

  it('never serves a logged-in page to someone else, even when the origin says public', async () => {
    const signedIn = await get('toot.example', '/about', { cookie: '_session_id=alice' });
    expect(signedIn.body).toContain('user:_session_id=alice');
    const anonymous = await get('toot.example', '/about');
    expect(anonymous.body).toContain('anonymous');
    expect(anonymous.body).not.toContain('alice');
    const again = await get('toot.example', '/about');
    expect(again.body).toBe(anonymous.body);
    expect(again.headers['x-cache']).toBe('HIT');
  });

  it('never crosses HTML and ActivityPub JSON on one URL', async () => {
    const json = await get('toot.example', '/users/alice', { accept: 'application/activity+json' });
    const html = await get('toot.example', '/users/alice', { accept: 'text/html' });
    const jsonAgain = await get('toot.example', '/users/alice', { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' });
    const htmlAgain = await get('toot.example', '/users/alice', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(json.headers['content-type']).toBe('application/activity+json');
    expect(JSON.parse(json.body)).toMatchObject({ type: 'Person' });
    expect(html.headers['content-type']).toBe('text/html');
    expect(html.body).toMatch(/^<html>/);
    expect(jsonAgain).toMatchObject({ body: json.body, headers: { 'x-cache': 'HIT', 'content-type': 'application/activity+json' } });
    expect(htmlAgain).toMatchObject({ body: html.body, headers: { 'x-cache': 'HIT', 'content-type': 'text/html' } });
    expect(hits('/users/alice')).toBe(2);
  });

  it('stores nothing while the switch is off, and follows the switch flipped in the Config Store', async () => {
    await setItem('caching:toot.example', 'off');
    for (let round = 0; round < 3; round += 1) {
      const response = await get('toot.example', '/packs/off.js');
      expect(response.headers['x-cache']).toBe('PASS');
    }
    const anonymous = await get('toot.example', '/@alice');
    expect(anonymous.headers['x-cache']).toBe('PASS');
    expect(hits('/packs/off.js')).toBe(3);

    await setItem('caching:toot.example', 'on');
    const miss = await get('toot.example', '/packs/off.js');
    const hit = await get('toot.example', '/packs/off.js');
    expect([miss.headers['x-cache'], hit.headers['x-cache']]).toEqual(['MISS', 'HIT']);
    expect(hit.body).toBe(miss.body);
    expect(hits('/packs/off.js')).toBe(4);
  });

  it('two clients: path tricks, //host paths and unkeyed headers leak nothing to the second', async () => {
    // A server that must never be reached: `//host` in a path is not a host.
    const stolen: IncomingHttpHeaders[] = [];
    const trap = createServer((req, res) => {
      stolen.push(req.headers);
      res.writeHead(200, { 'cache-control': 'public, max-age=600' });
      res.end('trap');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const trapPort = (trap.address() as AddressInfo).port;
    const alice = { cookie: '_session_id=alice', authorization: 'Bearer alice-token' };
    try {
      const steal = await get('toot.example', `//127.0.0.1:${trapPort}/steal`, alice);
      expect(steal.body).not.toBe('trap');
      expect(stolen).toHaveLength(0);

      for (const path of ['/system/%62ackups/dump.zip', '/system//backups/dump.zip', '/system/Backups/dump.zip', '/system/x/../backups/dump.zip']) {
        const mine = await get('toot.example', path, alice);
        expect(mine.headers['x-cache']).toBe('PASS');
      }
      const theirs = await get('toot.example', '/system/backups/dump.zip');
      expect(theirs.body).toContain('backup of anonymous');

      const poison = {
        'x-forwarded-host': 'evil.example',
        forwarded: 'host=evil.example',
        'x-original-url': '/evil',
        'x-http-method-override': 'DELETE',
      };
      await get('toot.example', '/packs/poison.js', poison);
      await get('toot.example', '/packs//poison.js', poison);
      const victim = await get('toot.example', '/packs/poison.js');
      expect(victim.headers['x-cache']).toBe('HIT');
      expect(victim.body).not.toContain('steered');
      const forwarded = origin.seen.filter((entry) => entry.path === '/packs/poison.js');
      expect(forwarded).toHaveLength(1);
      expect(Object.keys(forwarded[0]!.headers)).not.toEqual(expect.arrayContaining(['x-forwarded-host']));
      expect(JSON.stringify(origin.seen)).not.toContain('evil');

      // Credentials are forwarded on the instance allowlist; an answer that varies on them is never shared.
      const mine = await get('toot.example', '/api/v1/instance/domain_blocks', alice);
      expect(JSON.parse(mine.body)).toMatchObject({ for: 'Bearer alice-token' });
      const anonymous = await get('toot.example', '/api/v1/instance/domain_blocks');
      expect(anonymous.body).not.toContain('alice');
      const again = await get('toot.example', '/api/v1/instance/domain_blocks', alice);
      expect(again.headers['x-cache']).not.toBe('HIT');
      expect((await get('toot.example', '/api/v1/instance/domain_blocks', { authorization: 'Bearer bob' })).body).not.toContain('alice');
    } finally {
      await new Promise<void>((resolve) => trap.close(() => resolve()));
    }
  });

  it('follows purges sent to Fastly: by URL, by surrogate key, all', async () => {
    const serviceId = String((await fastly('POST', '/service', { name: 'purge-test', type: 'wasm' })).id);
    const missThenHit = async (path: string) => {
      const first = await get('toot.example', path);
      const second = await get('toot.example', path);
      return [first.headers['x-cache'], second.headers['x-cache']];
    };
    expect(await missThenHit('/packs/purge-me.js')).toEqual(['MISS', 'HIT']);
    await fastly('POST', `/purge/${encodeURIComponent('https://toot.example/packs/purge-me.js')}`);
    expect(await missThenHit('/packs/purge-me.js')).toEqual(['MISS', 'HIT']);
    await fastly('POST', `/service/${serviceId}/purge/static`);
    expect(await missThenHit('/packs/purge-me.js')).toEqual(['MISS', 'HIT']);
    await fastly('POST', `/service/${serviceId}/purge_all`);
    expect((await get('toot.example', '/packs/purge-me.js')).headers['x-cache']).toBe('MISS');
    expect(hits('/packs/purge-me.js')).toBe(4);
  });

  it('strips credentials toward the files origin and fixes file responses', async () => {
    const response = await get('files.toot.example', '/media/a.png', { authorization: 'Bearer secret', cookie: '_session_id=alice' });
    expect(response.status).toBe(200);
    const forwarded = origin.seen.filter((entry) => entry.path === '/media/a.png').at(-1)!;
    expect(forwarded.headers.authorization).toBeUndefined();
    expect(forwarded.headers.cookie).toBeUndefined();
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers['x-amz-request-id']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });

  it('refuses unknown hosts, redirects www and plain HTTP', async () => {
    expect((await get('elsewhere.example', '/about')).status).toBe(421);
    const www = await get('www.toot.example', '/about');
    expect([www.status, www.headers.location]).toEqual([301, 'https://toot.example/about']);
    const plain = await get('toot.example', '/about', { 'x-forwarded-proto': 'http' });
    expect([plain.status, plain.headers.location]).toEqual([301, 'https://toot.example/about']);
  });

  it('hands WebSocket upgrades for streaming off to the main origin', async () => {
    const { port } = new URL(edge.url);
    const socket = connect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    const next = (match: RegExp) =>
      new Promise<string>((resolve) => {
        const check = () => {
          const text = Buffer.concat(received).toString();
          if (match.test(text)) {
            socket.off('data', onData);
            resolve(text);
          }
        };
        const onData = (chunk: Buffer) => {
          received.push(chunk);
          check();
        };
        socket.on('data', onData);
        check();
      });
    socket.write(
      'GET /api/v1/streaming?stream=user&access_token=s3cr3t HTTP/1.1\r\nHost: toot.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: 198.51.100.1\r\nX-Forwarded-Host: evil.example\r\n\r\n',
    );
    expect(await next(/\r\n\r\n/)).toMatch(/^HTTP\/1\.1 101 /);
    socket.write('ping');
    expect(await next(/ping$/)).toMatch(/ping$/);
    socket.destroy();
    const upgrade = origin.seen.filter((entry) => entry.path.startsWith('/api/v1/streaming')).at(-1)!;
    expect(upgrade.headers.host).toBe('toot.example');
    expect(upgrade.headers['sec-websocket-key']).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    // The client's address is appended, as on every other forwarded request; unkeyed headers stay behind.
    expect(upgrade.headers['x-forwarded-for']).toBe('198.51.100.1, 127.0.0.1');
    expect(upgrade.headers['x-forwarded-host']).toBeUndefined();
    expect(logs.some((entry) => entry.route === 'streaming' && entry.path.includes('access_token=[redacted]'))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain('s3cr3t');
  });

  it('streams server-sent events through without waiting for the end', async () => {
    const response = await request(`${edge.url}/api/v1/streaming/public?access_token=s3cr3t`, { headers: { host: 'toot.example' } });
    expect(response.headers['content-type']).toBe('text/event-stream');
    // The origin never ends this stream: the first event can only arrive if nothing buffers it.
    const first = await response.body[Symbol.asyncIterator]().next();
    expect(Buffer.from(first.value as Uint8Array).toString()).toContain('event: update');
    response.body.destroy();
  });

  it('answers an upgrade the policy does not hand off like any other request', async () => {
    const { port } = new URL(edge.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write('GET /anything HTTP/1.1\r\nHost: elsewhere.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 421 /);
    socket.destroy();
  });
});
