import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { ProbeBudget } from './budget';

const HOUR = 60 * 60_000;

describe('ProbeBudget', () => {
  it('allows a share of the hourly write limit in any sliding hour', () => {
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock, writeLimitPerHour: 1000, share: 0.25 });
    expect(budget.capacity).toBe(250);
    let taken = 0;
    while (budget.tryTake()) {
      taken += 1;
      clock.advance(1_000);
    }
    expect(taken).toBe(250);
    expect(budget.remaining()).toBe(0);
    // The first probe (at 0) leaves the window an hour later, and with it one slot.
    expect(budget.nextAvailableAt()).toBe(HOUR);
    clock.set(HOUR - 1);
    expect(budget.tryTake()).toBe(false);
    clock.set(HOUR);
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(false);
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
    // Before any write Fastly has said nothing: the own count alone decides.
    expect(budget.tryTake({ remaining: null, resetAt: null })).toBe(true);
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => new ProbeBudget({ clock: new ManualClock(0), share: 0 })).toThrow(RangeError);
    expect(() => new ProbeBudget({ clock: new ManualClock(0), share: 1.5 })).toThrow(RangeError);
  });
});
