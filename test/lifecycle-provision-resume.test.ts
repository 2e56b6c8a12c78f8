import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/clock';
import { ServiceInput } from '../src/model';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';

// A service a crashed createService left `provisioning`: the worker finishes it, waits out
// Fastly being unavailable, and then lets the domain attached meanwhile go on by itself.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

describe('a service left provisioning', () => {
  it('is retried by the worker after an outage, then its waiting domain goes on to cached', async () => {
    harness = await startLifecycleHarness();
    const { controlPlane, worker, store } = harness.opened;
    const clock = harness.clock as ManualClock;
    const at = new Date(clock.now()).toISOString();
    // What createService has saved before its first Fastly call.
    await store.putService({
      name: 'toot',
      origins: ServiceInput.parse(serviceInput('toot')).origins,
      fastlyServiceId: null,
      activeVersion: null,
      configStoreId: null,
      configStoreName: 'edgeplane',
      status: 'provisioning',
      lastError: null,
      packagePath: null,
      createdAt: at,
      updatedAt: at,
    });
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });

    await harness.control('POST', '/faults', { errorRate: 1, statuses: [503] });
    clock.advance(60_000);
    await worker.tick();
    const during = await controlPlane.getService('toot');
    expect(during).toMatchObject({ status: 'provisioning', lastError: { code: 'fastly_unavailable' } });
    const stopped = await controlPlane.getDomain('toot', 'toot.example');
    expect(stopped.state).toBe('needs_attention');
    expect(stopped.lastError?.detail).toContain('not on Fastly yet');

    await harness.control('POST', '/faults', { errorRate: 0 });
    // Not due again until initialMs after the failed attempt.
    expect(await worker.tick()).toBe(0);
    expect((await controlPlane.getService('toot')).status).toBe('provisioning');

    clock.advance(60_000);
    const cached = await harness.tickUntil('toot', 'toot.example', 'cached');
    expect(await controlPlane.getService('toot')).toMatchObject({ status: 'ready', lastError: null, activeVersion: cached.activeVersion });
    expect(cached.history.map((event) => event.event)).toEqual([
      'attach_requested',
      'invalid_input',
      'service_ready',
      'attaching',
      'activated',
      'tls_requested',
      'cached',
    ]);
    const state = await harness.state();
    expect(state.services.filter((s) => s.name === 'toot')).toHaveLength(1);
  });
});
