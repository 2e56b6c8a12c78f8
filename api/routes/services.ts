import { createRoute, z } from '@hono/zod-openapi';
import type { ControlPlane } from '../../src/control-plane';
import { ServiceInput } from '../../src/model';
import { jsonBody, problems, routeGroup, ServiceParams, ServiceRecordSchema } from '../openapi-parts';

const createService = createRoute({
  method: 'post',
  path: '/v1/services',
  tags: ['services'],
  summary: 'Create (or adopt) the Fastly Compute service',
  description:
    'Creates the Fastly Compute service with its two origins (the main load balancer and the static files origin), '
    + 'uploads the edge package and links the Config Store. A service of the same name that already exists in the Fastly account is adopted.',
  request: { body: jsonBody(ServiceInput.meta({ id: 'ServiceInput' }), 'The service') },
  responses: {
    201: { description: 'The service', content: { 'application/json': { schema: ServiceRecordSchema } } },
    ...problems(400, 401, 409, 413, 415, 422, 429, 502, 503),
  },
});

const listServices = createRoute({
  method: 'get',
  path: '/v1/services',
  tags: ['services'],
  summary: 'List services',
  responses: {
    200: {
      description: 'Every service',
      content: { 'application/json': { schema: z.object({ services: z.array(ServiceRecordSchema) }) } },
    },
    ...problems(401),
  },
});

const showService = createRoute({
  method: 'get',
  path: '/v1/services/{name}',
  tags: ['services'],
  summary: 'Show a service: Fastly service id, active version, domains',
  request: { params: ServiceParams },
  responses: {
    200: { description: 'The service', content: { 'application/json': { schema: ServiceRecordSchema } } },
    ...problems(400, 401, 404),
  },
});

export function serviceRoutes(controlPlane: ControlPlane) {
  return routeGroup()
    .openapi(createService, async (c) => c.json(await controlPlane.createService(c.req.valid('json')), 201))
    .openapi(listServices, async (c) => c.json({ services: await controlPlane.listServices() }, 200))
    .openapi(showService, async (c) => c.json(await controlPlane.getService(c.req.valid('param').name), 200));
}
