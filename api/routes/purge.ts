import { createRoute, z } from '@hono/zod-openapi';
import type { ControlPlane } from '../../src/control-plane';
import { PurgeInput } from '../../src/model';
import { jsonBody, problems, routeGroup, ServiceParams } from '../openapi-parts';

const purge = createRoute({
  method: 'post',
  path: '/v1/services/{name}/purge',
  tags: ['purge'],
  summary: 'Purge the edge cache',
  description:
    'Exactly one of: `{"all": true}`, `{"key": "media"}` (a surrogate key), `{"keys": [...]}` (up to 256), `{"url": "https://..."}` (http(s), on one of the service\'s domains). `purged` says what Fastly was asked to purge.',
  request: { params: ServiceParams, body: jsonBody(PurgeInput.meta({ id: 'PurgeInput' }), 'What to purge') },
  responses: {
    200: {
      description: 'Purged',
      content: {
        'application/json': {
          schema: z.object({ purged: z.string(), fastlyIds: z.array(z.string()) }).openapi('PurgeResult'),
        },
      },
    },
    ...problems(400, 401, 404, 413, 415, 422, 429, 502, 503),
  },
});

export function purgeRoutes(controlPlane: ControlPlane) {
  return routeGroup().openapi(purge, async (c) => c.json(await controlPlane.purge(c.req.valid('param').name, c.req.valid('json')), 200));
}
