import { describe, expect, it } from 'vitest';
import { measureManyDomains } from './many-domains';

describe('measureManyDomains', () => {
  it('counts one activation per service for domains attached together, and waits out the write limit to cache them all', async () => {
    // 12 domains on 2 services need about 4 writes each; 30 writes an hour cannot cache them within the first hour.
    const result = await measureManyDomains({ domains: 12, domainsPerService: 6, writeLimitPerHour: 30, maxHours: 6 });
    expect(result.services).toBe(2);
    expect(result.activationsPerDomain).toBeCloseTo(2 / 12, 5);
    expect(result.writesPerDomain).toBeGreaterThanOrEqual(3);
    expect(result.cachedWithinFirstHour).toBeLessThan(12);
    expect(result.secondsUntilAllCached).toBeGreaterThan(3_600);
  });
});
