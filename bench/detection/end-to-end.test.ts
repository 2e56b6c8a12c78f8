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
});
