import type { ExecutionContext, ScheduledController } from '@cloudflare/workers-types';
import { createApiApp } from '../api/app';
import type { WorkerEnv } from './environment';
import { logger, openLifecycle, STEP_WINDOW_MS } from './lifecycle';

// The control plane as a Cloudflare Worker: `fetch` serves the same API as `edgeplane serve`,
// `scheduled` (a Cron Trigger) runs one bounded tick of the retry job, then sends the due
// notifications of the outbox. State lives in D1.
// Only the default export: workerd takes every named export of this module for an entrypoint.

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    const { controlPlane, notifications, config, metrics } = await openLifecycle(env, `cloudflare-fetch-${crypto.randomUUID()}`);
    const app = createApiApp({
      controlPlane,
      notifications,
      apiTokens: config.apiTokens,
      publicStatus: config.publicStatus,
      logger: logger.child({ component: 'api' }),
      metrics,
    });
    return app.fetch(request);
  },

  async scheduled(controller: ScheduledController, env: WorkerEnv, _ctx: ExecutionContext): Promise<void> {
    const started = Date.now();
    // A lease owner of its own: a cut-off invocation's services wait until its leases expire (EDGEPLANE_LEASE).
    const { worker, delivery } = await openLifecycle(env, `cloudflare-cron-${controller.scheduledTime}-${crypto.randomUUID()}`);
    const stepped = await worker.tick({ deadline: started + STEP_WINDOW_MS });
    // After the steps, so that what they just wrote to the outbox goes out in this invocation.
    const delivered = await delivery.deliverDue();
    logger.info({ cron: controller.cron, stepped, delivered, ms: Date.now() - started }, 'scheduled tick');
  },
};
