import { describe, expect, it } from 'vitest';
import { RELEASE_WINDOW_MS, simulateDetection } from './simulate';

describe('simulateDetection', () => {
  it('detects every release, never before it happens', () => {
    for (const schedule of ['edgeplane', 'edgeplaneHinted', 'roundRobin', 'certManager', 'cloudflare'] as const) {
      const result = simulateDetection({ schedule, domains: 10, trials: 10, seed: 4 });
      expect(result.samples).toBe(100);
      expect(result.p50Seconds).toBeGreaterThanOrEqual(0);
      expect(result.p50Seconds).toBeLessThanOrEqual(result.p95Seconds);
      expect(result.p95Seconds).toBeLessThanOrEqual(result.maxSeconds);
      expect(result.maxSeconds * 1000).toBeLessThan(RELEASE_WINDOW_MS);
    }
  });

  it('repeats for a seed', () => {
    const options = { schedule: 'edgeplane' as const, domains: 10, trials: 5, seed: 8 };
    expect(simulateDetection(options)).toEqual(simulateDetection(options));
  });

  it('waits at most a schedule step: cert-manager caps at 32 h, Cloudflare at 4 h', () => {
    expect(simulateDetection({ schedule: 'certManager', domains: 1, trials: 50, seed: 2 }).maxSeconds).toBeLessThanOrEqual(32 * 3600);
    expect(simulateDetection({ schedule: 'cloudflare', domains: 1, trials: 50, seed: 2 }).maxSeconds).toBeLessThanOrEqual(4 * 3600);
  });

  it("runs into Fastly's write limit when an unbudgeted schedule probes 100 domains a minute", () => {
    const cloudflare = simulateDetection({ schedule: 'cloudflare', domains: 100, trials: 2, seed: 1 });
    expect(cloudflare.budgetShare).toBeGreaterThan(1);
    expect(cloudflare.rateLimited).toBeGreaterThan(0);
    const edgeplane = simulateDetection({ schedule: 'edgeplane', domains: 100, trials: 2, seed: 1 });
    expect(edgeplane.rateLimited).toBe(0);
  });

  it('probes every waiting domain in turn at the round-robin limit, one probe per 14.4 s, never over the budget', () => {
    const roundRobin = simulateDetection({ schedule: 'roundRobin', domains: 10, trials: 20, seed: 3 });
    // Ten waiting: each probed at least every 144 s, fewer as domains are found.
    expect(roundRobin.maxSeconds).toBeLessThanOrEqual(144);
    expect(roundRobin.budgetShare).toBeLessThanOrEqual(0.25);
  });
});

describe('the hinted worker', () => {
  it('writes far less than the unhinted one and finds releases sooner, within the same budget', () => {
    const options = { domains: 10, trials: 5, seed: 2 };
    const plain = simulateDetection({ schedule: 'edgeplane', ...options });
    const hinted = simulateDetection({ schedule: 'edgeplaneHinted', ...options });
    expect(hinted.samples).toBe(50);
    expect(hinted.probesPerHourPerDomain).toBeLessThan(plain.probesPerHourPerDomain / 4);
    expect(hinted.p95Seconds).toBeLessThan(plain.p95Seconds);
    expect(hinted.rateLimited).toBe(0);
  });
});
