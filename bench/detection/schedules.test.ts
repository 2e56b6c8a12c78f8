import { describe, expect, it } from 'vitest';
import { certManagerDelay, cloudflareDelay } from './schedules';

const HOUR_MS = 3_600_000;

describe('certManagerDelay', () => {
  it('starts at one hour and doubles up to the 32 h cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(certManagerDelay)).toEqual([1, 2, 4, 8, 16, 32, 32, 32].map((hours) => hours * HOUR_MS));
  });
});

describe('cloudflareDelay', () => {
  it('grows by 5 % for the first ten tries', () => {
    expect(cloudflareDelay(1)).toBe(60_000);
    expect(cloudflareDelay(2)).toBeCloseTo(63_000, 6);
    expect(cloudflareDelay(10)).toBeCloseTo(60_000 * 1.05 ** 9, 6);
  });

  it('then grows by 15 % and never exceeds four hours', () => {
    expect(cloudflareDelay(11)).toBeCloseTo(60_000 * 1.15 ** 10, 6);
    expect(cloudflareDelay(200)).toBe(4 * HOUR_MS);
    for (let attempt = 1; attempt < 100; attempt++) {
      expect(cloudflareDelay(attempt + 1)).toBeGreaterThanOrEqual(cloudflareDelay(attempt));
    }
  });
});
