import { createRoute, z } from '@hono/zod-openapi';
import { MigrationRun } from '../../src/migrate/run-model';
import { problems, routeGroup, ServiceParams } from '../openapi-parts';

// The migration runs of a service: list, one, cancel, retry. A run is started by POST
// /v1/services/{name}/migrations (the plan without `dryRun`); the retry worker carries it out.

/** What these routes ask of the control plane (src/migrate/runs.ts implements it). */
export interface MigrationRunsApi {
  list(service: string): Promise<MigrationRun[]>;
  get(service: string, id: string): Promise<MigrationRun>;
  cancel(service: string, id: string): Promise<MigrationRun>;
  retry(service: string, id: string): Promise<MigrationRun>;
}

export const MigrationRunSchema = MigrationRun.meta({
  id: 'MigrationRun',
  description: "A migration run: its plan, how many steps are done, attempts, next attempt, last error and history. The old account's token is never shown.",
});
const RunParams = ServiceParams.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'mig_3q2Kx0b1ZpQe' }),
});

const listRuns = createRoute({
  method: 'get',
  path: '/v1/services/{name}/migrations',
  tags: ['migrations'],
  summary: "List a service's migration runs, newest first",
  request: { params: ServiceParams },
  responses: {
    200: { description: 'The runs', content: { 'application/json': { schema: z.object({ migrations: z.array(MigrationRunSchema) }) } } },
    ...problems(400, 401),
  },
});

const getRun = createRoute({
  method: 'get',
  path: '/v1/services/{name}/migrations/{id}',
  tags: ['migrations'],
  summary: 'One migration run',
  description:
    "Each domain's own record (`GET /v1/services/{name}/domains/{domain}`) names the claim of the old account that still holds it (condition `OldAccount`).",
  request: { params: RunParams },
  responses: {
    200: { description: 'The run', content: { 'application/json': { schema: MigrationRunSchema } } },
    ...problems(400, 401, 404),
  },
});

const cancelRun = createRoute({
  method: 'post',
  path: '/v1/services/{name}/migrations/{id}/cancel',
  tags: ['migrations'],
  summary: 'Cancel a migration run',
  description:
    'Stops the run between two steps. What it did on the old account stays done (the history says what); domains it made that never reached the new account are cancelled.',
  request: { params: RunParams },
  responses: {
    200: {
      description: 'The cancelled run (a run already done or cancelled is returned as it is)',
      content: { 'application/json': { schema: MigrationRunSchema } },
    },
    ...problems(400, 401, 404, 409),
  },
});

const retryRun = createRoute({
  method: 'post',
  path: '/v1/services/{name}/migrations/{id}/retry',
  tags: ['migrations'],
  summary: 'Retry a migration run that needs attention',
  description:
    "Takes the run up again at the step that failed, with its plan and the old account's token; each step reads before it writes, so nothing done is repeated. A done or cancelled run cannot be retried (409): start a new one.",
  request: { params: RunParams },
  responses: {
    200: {
      description: 'The run, running again (or waiting for its domains); a running or waiting run is returned as it is',
      content: { 'application/json': { schema: MigrationRunSchema } },
    },
    ...problems(400, 401, 404, 409),
  },
});

export function migrationRunRoutes(runs: MigrationRunsApi) {
  return routeGroup()
    .openapi(listRuns, async (c) => c.json({ migrations: await runs.list(c.req.valid('param').name) }, 200))
    .openapi(getRun, async (c) => {
      const { name, id } = c.req.valid('param');
      return c.json(await runs.get(name, id), 200);
    })
    .openapi(cancelRun, async (c) => {
      const { name, id } = c.req.valid('param');
      return c.json(await runs.cancel(name, id), 200);
    })
    .openapi(retryRun, async (c) => {
      const { name, id } = c.req.valid('param');
      return c.json(await runs.retry(name, id), 200);
    });
}
