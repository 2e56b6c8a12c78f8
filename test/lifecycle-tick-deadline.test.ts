import { afterEach, describe, expect, it } from 'vitest';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';

// A tick with a deadline (as a Cloudflare cron invocation runs it) starts no record after the
// deadline; what it left stays due, and the next tick takes it up.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

describe('a tick with a deadline', () => {
  it('starts no record once the deadline passed, and leaves them due for the next tick', async () => {
    harness = await startLifecycleHarness({ sim: { releaseDelayMs: 0, tlsDelayMs: 0 } });
    const { controlPlane, worker } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await controlPlane.attachDomain('toot', { domain: 'files.toot.example', role: 'static' });

    expect(await worker.tick({ deadline: harness.clock.now() })).toBe(0);
    const untouched = await controlPlane.listDomains('toot');
    expect(untouched.items.map((item) => [item.domain, item.state, item.attempts])).toEqual([
      ['files.toot.example', 'queued', 0],
      ['toot.example', 'queued', 0],
    ]);

    expect(await worker.tick({ deadline: harness.clock.now() + 1 })).toBe(2);
    const stepped = await controlPlane.listDomains('toot');
    expect(stepped.items.every((item) => item.attempts > 0)).toBe(true);
  });
});
