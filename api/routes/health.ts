import { createRoute, z } from '@hono/zod-openapi';
import { routeGroup } from '../openapi-parts';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Liveness (no authentication)',
  security: [],
  responses: {
    200: { description: 'The process is up', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } },
  },
});

export function healthRoutes() {
  return routeGroup().openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
}
