import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { parseBody, readBody } from './body';
import type { SimEnv } from './env';
import { badRequest } from './errors';
import { serviceOf } from './lookups';
import type { Purge, SimState } from './state';

const MAX_KEYS = 256;
const BulkPurge = z.object({ surrogate_keys: z.array(z.string().min(1)).max(MAX_KEYS).optional() });

/** Purges are recorded (the state dump lists them); there is no cache here to empty. */
export function purgeRoutes(state: SimState) {
  const app = new Hono<SimEnv>();

  const record = (c: Context<SimEnv>, kind: Purge['kind'], serviceId: string | null, target: string): Purge => {
    const purge: Purge = {
      id: `${state.random.id(8)}-${state.now()}`,
      customerId: c.get('account').customerId,
      kind,
      serviceId,
      target,
      soft: c.req.header('fastly-soft-purge') !== undefined,
      at: state.timestamp(),
    };
    state.purges.push(purge);
    return purge;
  };

  // POST /purge/<url>: the URL may carry its scheme and slashes (fastly-js sends it unescaped).
  app.post('/purge/*', (c) => {
    let url: string;
    try {
      url = decodeURIComponent(c.req.path.slice('/purge/'.length));
    } catch {
      throw badRequest('The URL to purge is not validly percent-encoded');
    }
    if (url === '') throw badRequest('A URL to purge is required');
    const host = url
      .replace(/^https?:\/\//, '')
      .split('/')[0]!
      .toLowerCase();
    const service = state
      .servicesOf(c.get('account').customerId)
      .find((candidate) => candidate.versions.some((version) => version.active && version.domains.some((domain) => domain.name === host)));
    return c.json({ status: 'ok', id: record(c, 'url', service?.id ?? null, url).id });
  });

  app.post('/service/:serviceId/purge_all', (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    record(c, 'all', service.id, '*');
    return c.json({ status: 'ok' });
  });

  // Up to 256 keys, from the JSON body or the Surrogate-Key header; answers key -> purge id.
  app.post('/service/:serviceId/purge', async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const body = parseBody(BulkPurge, await readBody(c));
    const header = c.req.header('surrogate-key')?.split(/\s+/).filter(Boolean) ?? [];
    const keys = body.surrogate_keys ?? header;
    if (keys.length === 0) throw badRequest('No surrogate keys given: send {"surrogate_keys": [...]} or a Surrogate-Key header');
    if (keys.length > MAX_KEYS) throw badRequest(`At most ${MAX_KEYS} surrogate keys can be purged at once`);
    const ids = Object.fromEntries(keys.map((key) => [key, record(c, 'key', service.id, key).id]));
    // JSON without a Content-Type, as recorded (fastly/fixtures/purges/compute/purge_by_keys.yaml);
    // the Node server then labels it text/plain, which clients treat the same way.
    return new Response(new TextEncoder().encode(JSON.stringify(ids)), { status: 200 });
  });

  app.post('/service/:serviceId/purge/:key{.+}', (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    return c.json({ status: 'ok', id: record(c, 'key', service.id, c.req.param('key')).id });
  });

  return app;
}
