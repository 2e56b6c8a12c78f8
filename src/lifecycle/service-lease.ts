import { randomUUID } from 'node:crypto';
import { EdgeplaneError } from '../errors';
import type { LifecycleContext } from './context';
import { serviceLeaseKey } from './worker';

const POLL_MS = 25;

/**
 * Runs `work` holding the lease of `service`, the one the retry worker takes for its steps, so an
 * operator action and a worker step never edit the same service at once. Waits up to `waitMs`
 * (real time) for a running step to finish, then fails with `conflict`.
 */
export async function withServiceLease<T>(
  ctx: LifecycleContext,
  service: string,
  work: () => Promise<T>,
  options: { leaseMs?: number; waitMs?: number } = {},
): Promise<T> {
  const owner = `control-plane:${randomUUID()}`;
  const key = serviceLeaseKey(service);
  const giveUpAt = Date.now() + (options.waitMs ?? 15_000);
  while (!(await ctx.store.acquireLease(key, owner, new Date(ctx.clock.now()), options.leaseMs ?? 120_000))) {
    if (Date.now() >= giveUpAt) throw new EdgeplaneError('conflict', `a step on service "${service}" is still running; try again in a moment`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await work();
  } finally {
    await ctx.store.releaseLease(key, owner);
  }
}
