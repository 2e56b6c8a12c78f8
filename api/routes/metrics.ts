import { createRoute, z } from '@hono/zod-openapi';
import type { ControlPlane } from '../../src/control-plane';
import type { ApiMetrics } from '../metrics';
import { problems, routeGroup } from '../openapi-parts';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics',
  description: 'Domains by state, domain probes and Fastly calls by outcome, Fastly rate-limit remaining, API requests.',
  responses: {
    200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
    ...problems(401),
  },
});

export function metricsRoutes(controlPlane: ControlPlane, metrics: ApiMetrics) {
  return routeGroup().openapi(metricsRoute, async (c) => {
    metrics.setDomainCounts(await controlPlane.countDomainsByState());
    return c.text(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
}
