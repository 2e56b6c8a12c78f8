import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { ProbeBudget } from './budget';

const HOUR = 60 * 60_000;

describe('ProbeBudget', () => {
  it('paces a share of the hourly write limit evenly: one probe per spacing, never a burst', () => {
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock, writeLimitPerHour: 1000, share: 0.25 });
    expect(budget.capacity).toBe(250);
    expect(budget.spacingMs).toBe(14_400);
    // Asked at every one-second poll, it gives one probe every 14.4 s on average: 250 in the hour.
    const takenAt: number[] = [];
    for (let ms = 0; ms < HOUR; ms += 1_000) {
      clock.set(ms);
      if (budget.tryTake()) takenAt.push(ms);
    }
    expect(takenAt).toHaveLength(250);
    expect(takenAt.slice(0, 4)).toEqual([0, 15_000, 29_000, 44_000]);
    expect(Math.min(...takenAt.slice(1).map((at, index) => at - takenAt[index]!))).toBeGreaterThanOrEqual(14_000);
    expect(budget.nextAvailableAt()).toBe(HOUR);
  });

  it('gives no credit for a pause: after a quiet spell the pace starts again from then', () => {
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock, writeLimitPerHour: 4, share: 1 });
    expect(budget.spacingMs).toBe(15 * 60_000);
    expect(budget.tryTake()).toBe(true);
    clock.set(HOUR);
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(false);
    expect(budget.nextAvailableAt()).toBe(HOUR + 15 * 60_000);
  });

  it('takes nothing until Fastly-RateLimit-Reset after a 429', () => {
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock });
    budget.pauseUntil(new Date(30_000));
    expect(budget.pausedUntil()).toBe(30_000);
    expect(budget.tryTake()).toBe(false);
    expect(budget.nextAvailableAt()).toBe(30_000);
    clock.set(30_000);
    expect(budget.tryTake()).toBe(true);
  });

  it('stops once Fastly reports the user used the share this hour, leaving the rest to the operator', () => {
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock, writeLimitPerHour: 1000, share: 0.25 });
    const resetAt = new Date(HOUR);
    expect(budget.tryTake({ remaining: 751, resetAt })).toBe(true);
    expect(budget.tryTake({ remaining: 750, resetAt })).toBe(false);
    expect(budget.nextAvailableAt()).toBe(HOUR);
    // Only probes wait: other writes are not held back as after a 429.
    expect(budget.pausedUntil()).toBeLessThanOrEqual(clock.now());
    clock.set(HOUR);
    expect(budget.tryTake({ remaining: 750, resetAt })).toBe(true);
    // Before any write Fastly has said nothing: the own pace alone decides.
    clock.advance(budget.spacingMs);
    expect(budget.tryTake({ remaining: null, resetAt: null })).toBe(true);
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => new ProbeBudget({ clock: new ManualClock(0), share: 0 })).toThrow(RangeError);
    expect(() => new ProbeBudget({ clock: new ManualClock(0), share: 1.5 })).toThrow(RangeError);
  });
});
