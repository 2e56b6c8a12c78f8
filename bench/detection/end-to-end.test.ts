import { describe, expect, it } from 'vitest';
import { endToEndTrial } from './end-to-end';
import { simulateTrial } from './simulate';

describe('endToEndTrial', () => {
  it('the real worker against the simulator detects a release when the simulation says it does', async () => {
    const windowMs = 2 * 3_600_000;
    for (const trial of [1, 2]) {
      const real = await endToEndTrial({ seed: 1, trial, domains: 1, windowMs });
      const simulated = simulateTrial({ schedule: 'edgeplane', domains: 1, seed: 1, windowMs }, trial);
      expect(real.delaysMs[0]!).toBeGreaterThanOrEqual(0);
      expect(Math.abs(real.delaysMs[0]! - simulated.delaysMs[0]!)).toBeLessThan(1000);
      expect(real.probes).toBe(simulated.probes);
    }
  });

  it("with release hints, the real worker reading the simulator's edge probes and detects as the simulation says", async () => {
    const windowMs = 2 * 3_600_000;
    // Trial 1: released after 1 h 47 min, its old service deactivated 67 minutes before: no probe
    // while the edge serves it (less than an hour), then the fast rate until the release.
    const real = await endToEndTrial({ seed: 1, trial: 1, domains: 1, windowMs, hinted: true });
    const simulated = simulateTrial({ schedule: 'edgeplaneHinted', domains: 1, seed: 1, windowMs, otherWrites: real.otherWrites }, 1);
    expect(real.delaysMs[0]!).toBeGreaterThanOrEqual(0);
    expect(Math.abs(real.delaysMs[0]! - simulated.delaysMs[0]!)).toBeLessThan(1000);
    expect(real.probes).toBe(simulated.probes);
    // Far fewer writes than the unhinted worker makes for the same release.
    const unhinted = simulateTrial({ schedule: 'edgeplane', domains: 1, seed: 1, windowMs }, 1);
    expect(real.probes).toBeLessThan(unhinted.probes);
  });
});
