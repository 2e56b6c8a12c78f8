import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { badRequest, fastlyError, notFound } from './errors';
import { editableVersion, serviceOf, touch, versionOf } from './lookups';
import type { ResourceLink, Service, SimState, Version } from './state';

const NewLink = z.object({ resource_id: z.string().trim().min(1, 'resource_id is required'), name: z.string().trim().min(1).max(255).optional() });
const UpdateLink = z.object({ name: z.string().trim().min(1).max(255) });

function linkView(service: Service, version: Version, link: ResourceLink) {
  return {
    id: link.id,
    resource_id: link.resource_id,
    name: link.name,
    resource_type: link.resource_type,
    service_id: service.id,
    version: version.number,
    href: `/resources/stores/config/${link.resource_id}`,
    created_at: link.created_at,
    updated_at: link.updated_at,
    deleted_at: null,
  };
}

/** Resource links: a version-scoped link from a service to a store of the same account, under a name. */
export function resourceRoutes(state: SimState) {
  const app = new Hono<SimEnv>();
  const base = '/service/:serviceId/version/:version/resource';

  const linkOf = (c: Context<SimEnv>, version: Version) => {
    const id = c.req.param('linkId');
    const link = version.resources.find((candidate) => candidate.id === id);
    if (!link) throw notFound(`Couldn't find resource link '${id}'`);
    return link;
  };

  app.get(base, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = versionOf(service, c.req.param('version'));
    return c.json(version.resources.map((link) => linkView(service, version, link)));
  });

  app.post(base, async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    const input = await bodyOf(c, NewLink);
    const store = state.configStores.get(input.resource_id);
    if (!store || store.customerId !== service.customerId) throw badRequest(`Couldn't find resource '${input.resource_id}'`);
    const name = input.name ?? store.name;
    if (version.resources.some((link) => link.name === name))
      throw fastlyError(409, 'Duplicate record', `A resource named '${name}' is already linked to this version`);
    const now = state.timestamp();
    const link: ResourceLink = { id: state.random.id(), name, resource_id: store.id, resource_type: 'config', created_at: now, updated_at: now };
    version.resources.push(link);
    touch(state, service, version);
    return c.json(linkView(service, version, link));
  });

  app.get(`${base}/:linkId`, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = versionOf(service, c.req.param('version'));
    return c.json(linkView(service, version, linkOf(c, version)));
  });

  app.put(`${base}/:linkId`, async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    const link = linkOf(c, version);
    const { name } = await bodyOf(c, UpdateLink);
    link.name = name;
    link.updated_at = state.timestamp();
    touch(state, service, version);
    return c.json(linkView(service, version, link));
  });

  app.delete(`${base}/:linkId`, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    version.resources.splice(version.resources.indexOf(linkOf(c, version)), 1);
    touch(state, service, version);
    return c.json({ status: 'ok' });
  });

  return app;
}
