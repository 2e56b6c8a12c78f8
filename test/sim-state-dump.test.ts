import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { startSimulator } from '../src/sim/server';
import { simControl } from './support/sim-control';
import { type SimHarness, startSimHarness } from './support/sim-harness';

// The state dump turns the clock's time and each release's end into ISO dates: every time the
// simulator keeps must be one a Date can hold, or `GET /__sim/state` fails.

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.sim.close();
  h = undefined;
});

const YEAR_MS = 365 * 24 * 60 * 60_000;

describe('state dump across releases on a hand-moved clock', () => {
  for (const releaseDelayMs of [0, 60_000]) {
    it(`answers 200 through release, clock moved back, re-hold and release again (release delay ${releaseDelayMs} ms)`, async () => {
      h = await startSimHarness({ releaseDelayMs });
      const owner = await simControl(h.sim).holdByOtherAccount('site.example');
      const released = await h.control('DELETE', '/holds/site.example');
      expect(released.status).toBe(200);

      h.clock.advance(1_000);
      const afterRelease = await h.state();
      expect(afterRelease.releases).toEqual(
        releaseDelayMs > 1_000 ? [{ domain: 'site.example', customerId: owner, until: new Date(h.clock.now() - 1_000 + releaseDelayMs).toISOString() }] : [],
      );

      h.clock.set(h.clock.now() - 10 * 60_000);
      expect((await h.control('GET', '/state')).status).toBe(200);
      expect((await h.control('POST', '/holds', { domain: 'site.example', account: owner })).status).toBe(201);
      expect((await h.control('DELETE', '/holds/site.example')).status).toBe(200);
      h.clock.advance(releaseDelayMs);
      const last = await h.state();
      expect(last.now).toBe(new Date(h.clock.now()).toISOString());
      expect(last.holds).toEqual({});
    });
  }
});

describe('times the simulator cannot turn into dates', () => {
  it('refuses a release delay that puts the end of a release past the last date', async () => {
    await expect(startSimulator({ clock: new ManualClock(), releaseDelayMs: 1e20 })).rejects.toThrow(/release delay/i);
    await expect(startSimulator({ clock: new ManualClock(), releaseDelayMs: Number.POSITIVE_INFINITY })).rejects.toThrow(/release delay/i);
    await expect(startSimulator({ clock: new ManualClock(), tlsDelayMs: Number.NaN })).rejects.toThrow(/TLS delay/i);
  });

  it('still releases with the longest accepted delay, and dumps its end', async () => {
    h = await startSimHarness({ releaseDelayMs: 100 * YEAR_MS });
    const owner = await simControl(h.sim).holdByOtherAccount('site.example');
    const released = await h.control('DELETE', '/holds/site.example');
    const releasedAt = new Date(h.clock.now() + 100 * YEAR_MS).toISOString();
    expect(released.body).toEqual({ domain: 'site.example', releasedAt });
    const state = await h.state();
    expect(state.releases).toEqual([{ domain: 'site.example', customerId: owner, until: releasedAt }]);
  });

  it('a shared ManualClock refuses to be moved to a time that is not a date, so the simulator keeps answering', async () => {
    h = await startSimHarness({ releaseDelayMs: 0 });
    const before = h.clock.now();
    expect(() => h!.clock.set(Number.POSITIVE_INFINITY)).toThrow(/not a time/);
    expect(() => h!.clock.set(Number.NaN)).toThrow(/not a time/);
    expect(() => h!.clock.advance(1e16)).toThrow(/not a time/);
    expect(h.clock.now()).toBe(before);
    const state = await h.state();
    expect(state.now).toBe(new Date(before).toISOString());
  });
});
