import { createRoute, z } from '@hono/zod-openapi';
import { EdgeplaneError } from '../../src/errors';
import { MigrationPlan } from '../../src/migrate/model';
import { type MigrationPlannerParts, MigrationRequest, planMigration } from '../../src/migrate/planner';
import type { MigrationRuns } from '../../src/migrate/runs';
import { jsonBody, problems, routeGroup, ServiceParams } from '../openapi-parts';
import { MigrationRunSchema } from './migration-runs';

/** The old account's token may come in this header instead of the body (kept out of request bodies that get stored or shown). */
export const FROM_TOKEN_HEADER = 'Edgeplane-From-Token';

export interface MigrationsApiParts {
  planner: MigrationPlannerParts;
  runs: Pick<MigrationRuns, 'start' | 'list' | 'get' | 'cancel' | 'retry'>;
}

const MigrationPlanSchema = MigrationPlan.meta({ id: 'MigrationPlan' });

const startMigration = createRoute({
  method: 'post',
  path: '/v1/services/{name}/migrations',
  tags: ['migrations'],
  summary: 'Plan (dry run) or start a move of the site from another Fastly account',
  description:
    'Reads the old Fastly account with its token (`fromToken`, or the `'
    + FROM_TOKEN_HEADER
    + "` header): the services that hold the site's domains, "
    + 'their backends, TLS subscriptions, certificates and Domain Management records, and any wildcard or parent-domain claim. '
    + 'With `dryRun: true` it answers the plan and writes nothing (reads only, on the old account). Otherwise it starts a migration run that carries the plan out. '
    + 'The token is never returned or logged.',
  request: {
    params: ServiceParams,
    headers: z.object({
      [FROM_TOKEN_HEADER.toLowerCase()]: z.string().min(1).optional().openapi({ description: "The old account's Fastly token, instead of `fromToken`" }),
    }),
    body: jsonBody(MigrationRequest.meta({ id: 'MigrationRequest' }), 'The old account and how to move'),
  },
  responses: {
    200: { description: 'The plan (dry run): nothing was written', content: { 'application/json': { schema: MigrationPlanSchema } } },
    202: { description: 'The migration run, started', content: { 'application/json': { schema: MigrationRunSchema } } },
    ...problems(400, 401, 409, 413, 415, 429, 502, 503),
  },
});

export function migrationRoutes(parts: MigrationsApiParts) {
  return routeGroup().openapi(startMigration, async (c) => {
    const { name } = c.req.valid('param');
    const input = c.req.valid('json');
    const fromToken = input.fromToken ?? c.req.header(FROM_TOKEN_HEADER);
    if (!fromToken) throw new EdgeplaneError('invalid_input', `the old account's Fastly token is missing: give fromToken or the ${FROM_TOKEN_HEADER} header`);
    const plan = await planMigration(parts.planner, name, { ...input, fromToken });
    if (input.dryRun) return c.json(plan, 200);
    return c.json(await parts.runs.start(plan, fromToken), 202);
  });
}
