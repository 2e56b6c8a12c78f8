import { createRoute, z } from '@hono/zod-openapi';
import { isEdgeplaneError } from '../../src/errors';
import { routeGroup } from '../openapi-parts';

/** Resolves when the control plane can do its work; throws an EdgeplaneError saying what is wrong. */
export type ReadinessCheck = () => Promise<void>;

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'Readiness (no authentication): the process is up and its database takes writes',
  security: [],
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } },
    503: {
      description: 'Not ready: `problem` says what is wrong (for example the database is locked by another process)',
      content: { 'application/json': { schema: z.object({ status: z.literal('unavailable'), problem: z.string() }) } },
    },
  },
});

export function healthRoutes(ready: ReadinessCheck = async () => {}) {
  return routeGroup().openapi(healthz, async (c) => {
    try {
      await ready();
    } catch (error) {
      const problem = isEdgeplaneError(error) ? error.detail : 'readiness check failed; see the control plane log';
      if (isEdgeplaneError(error) && error.resetAt) c.header('retry-after', String(Math.max(1, Math.ceil((error.resetAt.getTime() - Date.now()) / 1000))));
      return c.json({ status: 'unavailable' as const, problem }, 503);
    }
    return c.json({ status: 'ok' as const }, 200);
  });
}
