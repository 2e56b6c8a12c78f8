import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import type { SimState } from './state';

export const FaultsInput = z.object({
  errorRate: z.number().min(0).max(1).default(0),
  statuses: z.array(z.number().int().min(400).max(599)).min(1).default([503]),
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  resetRate: z.number().min(0).max(1).default(0),
});

interface NodeBindings {
  incoming?: { socket?: { destroy(): void } };
}

/** Injected faults (latency, error statuses, dropped connections) on the Fastly API paths only. */
export function injectFaults(state: SimState) {
  return createMiddleware(async (c, next) => {
    const { errorRate, statuses, latencyMs, resetRate } = state.faults;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (resetRate > 0 && state.random.fraction() < resetRate) {
      const socket = (c.env as NodeBindings | undefined)?.incoming?.socket;
      if (socket) {
        socket.destroy();
        return new Response(null, { status: 502 });
      }
    }
    if (errorRate > 0 && state.random.fraction() < errorRate) {
      const status = statuses[Math.floor(state.random.fraction() * statuses.length)] ?? 503;
      return c.json({ msg: 'Service unavailable', detail: 'Injected fault' }, status as 503);
    }
    await next();
  });
}
