import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/clock';
import { fastlyEdgeHints } from '../src/fastly/fastly-edge-hints';
import { attachHeldDomain, type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';

// Free release hints: the worker asks the simulator's edge (over 127.0.0.1, by Host header)
// whether an active service still serves a waiting domain, and writes probes by what it says.

let harness: LifecycleHarness;
afterEach(async () => harness?.close());

const MINUTE = 60_000;

describe("Fastly's edge in the simulator", () => {
  it('serves a host an active service holds, and answers 500 unknown domain once none does, though the API still refuses it', async () => {
    harness = await startLifecycleHarness({ sim: { releaseDelayMs: 30 * MINUTE } });
    const hints = fastlyEdgeHints(harness.sim.edgeAddress);
    const { controlPlane } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    await controlPlane.attachDomain('toot', { domain: 'files.toot.example', role: 'static' });
    await harness.tickUntil('toot', 'files.toot.example', 'cached');
    expect(await hints.read('files.toot.example')).toBe('served');
    await harness.holdByOtherAccount('held.example');
    expect(await hints.read('held.example')).toBe('served');
    // fetch would send its own Host header: undici's request sends the one given.
    const response = await request(`http://${harness.sim.edgeAddress}/`, { headers: { host: 'nobody.example' } });
    expect({ status: response.statusCode, body: await response.body.text() }).toMatchObject({
      status: 500,
      body: expect.stringContaining('Fastly error: unknown domain: nobody.example'),
    });
    await harness.control('DELETE', '/holds/held.example');
    // Let go: the edge no longer knows it; Fastly's API still refuses it for the release delay.
    expect(await hints.read('held.example')).toBe('unknown');
    expect((await harness.state()).releases.some((release) => release.domain === 'held.example')).toBe(true);
    expect(await fastlyEdgeHints('127.0.0.1:1', 1_000).read('held.example')).toBe('no_answer');
  });
});

/** A domain another account holds, attached with release hints on; `writes` counts its write probes. */
async function heldWithHints() {
  harness = await startLifecycleHarness({ edgeHints: true, sim: { releaseDelayMs: 30 * MINUTE } });
  const clock = harness.clock as ManualClock;
  await attachHeldDomain(harness);
  const writes = () => harness.calls.filter((call) => call.operation === 'addDomain').length;
  return { clock, ...harness.opened, writes, start: clock.now() };
}

describe('a waiting domain with release hints', () => {
  it('gets one write probe when the operator asks for a retry while the edge still serves it', async () => {
    const { clock, controlPlane, worker, writes, start } = await heldWithHints();
    clock.set(start + 5 * MINUTE);
    await worker.tick();
    expect(writes()).toBe(1);

    // The operator knows the other account just removed a claim the edge cannot see.
    await controlPlane.retryDomain('toot', 'toot.example');
    await worker.tick();
    expect(writes()).toBe(2);
    // One probe for one retry: then the hourly rule again.
    for (let minute = 6; minute < 30; minute++) {
      clock.set(start + minute * MINUTE);
      await worker.tick();
    }
    expect(writes()).toBe(2);
  });

  it('is probed by write once an hour while the edge serves it, at the fast rate once the edge says unknown, and found after the release', async () => {
    const { clock, controlPlane, worker, writes, start } = await heldWithHints();
    expect(writes()).toBe(1);

    // The edge serves it: an hour of looking costs no write, then one write probe.
    for (let minute = 1; minute < 60; minute++) {
      clock.set(start + minute * MINUTE);
      await worker.tick();
    }
    let record = await controlPlane.getDomain('toot', 'toot.example');
    expect({ writes: writes(), attempts: record.attempts }).toEqual({ writes: 1, attempts: 1 });
    expect(record.conditions.find((condition) => condition.type === 'EdgeServes')).toMatchObject({ status: 'True', reason: 'Served' });
    clock.set(start + 60 * MINUTE);
    await worker.tick();
    expect(writes()).toBe(2);

    // The other account lets go: the edge says unknown at the next look, and writes go out every minute.
    await harness.control('DELETE', '/holds/toot.example');
    const letGo = clock.now();
    for (let minute = 1; minute <= 10; minute++) {
      clock.set(letGo + minute * MINUTE);
      await worker.tick();
    }
    record = await controlPlane.getDomain('toot', 'toot.example');
    expect(record.state).toBe('waiting_for_release');
    expect(record.conditions.find((condition) => condition.type === 'EdgeServes')).toMatchObject({ status: 'False', reason: 'UnknownDomain' });
    expect(writes()).toBe(2 + 10);

    // Released 30 minutes after the let-go: found at the first look after it.
    for (let minute = 11; minute <= 31; minute++) {
      clock.set(letGo + minute * MINUTE);
      await worker.tick();
    }
    record = await controlPlane.getDomain('toot', 'toot.example');
    expect(record.history.find((event) => event.event === 'released' || (event.from === 'waiting_for_release' && event.to === 'active'))?.at).toBe(
      new Date(letGo + 30 * MINUTE).toISOString(),
    );
    // What the edge said of the host while another account held it is not said of it once it is ours.
    expect(record.conditions.map((condition) => condition.type)).not.toContain('EdgeServes');
  });
});
