import { Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { badRequest, fastlyError, notFound } from './errors';
import { Hostname } from './hostname';
import { editableVersion, serviceOf, touch, versionOf } from './lookups';
import { refusalDetail, refusalFor } from './ownership';
import type { SimState } from './state';
import { domainView } from './views';

const CreateDomain = z.object({ name: Hostname, comment: z.string().default('') });
const UpdateDomain = z.object({ name: Hostname.optional(), comment: z.string().optional() });

/** Classic version-scoped domains, refused when another account (or another own service) holds them. */
export function domainRoutes(state: SimState) {
  const app = new Hono<SimEnv>();
  const base = '/service/:serviceId/version/:version/domain';

  app.get(base, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = versionOf(service, c.req.param('version'));
    return c.json(version.domains.map((domain) => domainView(service, version, domain)));
  });

  app.get(`${base}/check_all`, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = versionOf(service, c.req.param('version'));
    // [domain, the CNAME it points at, whether that is Fastly]: as recorded for a domain whose DNS is
    // not on Fastly (fastly/fixtures/domains/validate-all.yaml); we never see DNS.
    return c.json(version.domains.map((domain) => [domainView(service, version, domain), null, false]));
  });

  app.post(base, async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    const input = await bodyOf(c, CreateDomain);
    if (version.domains.some((domain) => domain.name === input.name)) throw fastlyError(409, 'Duplicate record', `Duplicate domain '${input.name}'`);
    const refusal = refusalFor(state, input.name, service.customerId, service.id);
    if (refusal) throw badRequest(refusalDetail(input.name, refusal));
    const now = state.timestamp();
    const entry = { name: input.name, comment: input.comment, created_at: now, updated_at: now };
    version.domains.push(entry);
    touch(state, service, version);
    return c.json(domainView(service, version, entry));
  });

  app.get(`${base}/:name`, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = versionOf(service, c.req.param('version'));
    const name = c.req.param('name').toLowerCase();
    const entry = version.domains.find((domain) => domain.name === name);
    if (!entry) throw notFound(`Couldn't find Domain '${name}'`);
    return c.json(domainView(service, version, entry));
  });

  app.put(`${base}/:name`, async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    const name = c.req.param('name').toLowerCase();
    const entry = version.domains.find((domain) => domain.name === name);
    if (!entry) throw notFound(`Couldn't find Domain '${name}'`);
    const input = await bodyOf(c, UpdateDomain);
    if (input.name !== undefined && input.name !== entry.name) {
      const refusal = refusalFor(state, input.name, service.customerId, service.id);
      if (refusal) throw badRequest(refusalDetail(input.name, refusal));
      entry.name = input.name;
    }
    if (input.comment !== undefined) entry.comment = input.comment;
    entry.updated_at = state.timestamp();
    touch(state, service, version);
    return c.json(domainView(service, version, entry));
  });

  app.delete(`${base}/:name`, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    const name = c.req.param('name').toLowerCase();
    const index = version.domains.findIndex((domain) => domain.name === name);
    if (index < 0) throw notFound(`Couldn't find Domain '${name}'`);
    const subscribed = [...state.tlsSubscriptions.values()].some((sub) => sub.customerId === service.customerId && sub.domains.includes(name));
    if (subscribed) throw badRequest(`Domain '${name}' has a TLS subscription; delete the subscription before removing the domain`);
    version.domains.splice(index, 1);
    touch(state, service, version);
    return c.json({ status: 'ok' });
  });

  return app;
}
