import { Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { badRequest, notFound } from './errors';
import { serviceOf, touch } from './lookups';
import type { Service, SimState, Version } from './state';
import { activeVersion, serviceListView, serviceView, versionView } from './views';

const CreateService = z.object({
  name: z.string().trim().min(1, 'Name is required').max(255),
  type: z.enum(['vcl', 'wasm']).default('vcl'),
  comment: z.string().default(''),
});

const UpdateService = z.object({ name: z.string().trim().min(1).max(255).optional(), comment: z.string().optional() });

export function newVersion(state: SimState, number: number): Version {
  const now = state.timestamp();
  return {
    number,
    active: false,
    locked: false,
    comment: '',
    activations: 0,
    domains: [],
    backends: [],
    package: null,
    resources: [],
    created_at: now,
    updated_at: now,
  };
}

/** Services: create (with draft version 1), list, search, get, details, update, delete. */
export function serviceRoutes(state: SimState) {
  const app = new Hono<SimEnv>();

  app.post('/service', async (c) => {
    const input = await bodyOf(c, CreateService);
    const now = state.timestamp();
    const service: Service = {
      id: state.random.id(),
      customerId: c.get('account').customerId,
      name: input.name,
      type: input.type,
      comment: input.comment,
      versions: [newVersion(state, 1)],
      created_at: now,
      updated_at: now,
    };
    state.services.set(service.id, service);
    return c.json(serviceView(service));
  });

  // Paged by `page` and `per_page` when given (go-fastly asks `page=1&per_page=100`: fastly/fixtures/services/compute/list.yaml).
  app.get('/service', (c) => {
    const all = state.servicesOf(c.get('account').customerId);
    const perPage = Number(c.req.query('per_page')) || all.length || 1;
    const page = Math.max(1, Number(c.req.query('page')) || 1);
    return c.json(all.slice((page - 1) * perPage, page * perPage).map(serviceListView));
  });

  app.get('/service/search', (c) => {
    const name = c.req.query('name') ?? '';
    const service = state.servicesOf(c.get('account').customerId).find((candidate) => candidate.name === name);
    if (!service) throw notFound(`Couldn't find Service '${name}'`);
    return c.json(serviceView(service));
  });

  app.get('/service/:serviceId', (c) => c.json(serviceView(serviceOf(state, c.get('account'), c.req.param('serviceId')))));

  app.get('/service/:serviceId/details', (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const active = activeVersion(service);
    const latest = service.versions[service.versions.length - 1]!;
    return c.json({
      ...serviceView(service),
      active_version: active ? versionView(service, active) : null,
      version: versionView(service, active ?? latest),
    });
  });

  app.put('/service/:serviceId', async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const input = await bodyOf(c, UpdateService);
    if (input.name !== undefined) service.name = input.name;
    if (input.comment !== undefined) service.comment = input.comment;
    touch(state, service);
    return c.json(serviceView(service));
  });

  app.delete('/service/:serviceId', (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    if (activeVersion(service)) throw badRequest('Cannot delete service with active version');
    state.services.delete(service.id);
    return c.json({ status: 'ok' });
  });

  return app;
}
