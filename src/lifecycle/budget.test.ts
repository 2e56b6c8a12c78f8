import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { ProbeBudget } from './budget';

const HOUR = 60 * 60_000;

describe('ProbeBudget', () => {
  it('paces a share of the hourly write limit evenly: one probe per spacing, never a burst', () => {
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock, writeLimitPerHour: 1000, share: 0.25 });
    expect(budget.capacity).toBe(250);
    // The hour and the one-second late credit over 250.
    expect(budget.spacingMs).toBe(14_404);
    // Asked at every one-second poll, it gives one probe every 14.4 s on average: 250 in the hour.
    const takenAt: number[] = [];
    for (let ms = 0; ms < HOUR; ms += 1_000) {
      clock.set(ms);
      if (budget.tryTake()) takenAt.push(ms);
    }
    expect(takenAt).toHaveLength(250);
    expect(takenAt.slice(0, 4)).toEqual([0, 15_000, 29_000, 44_000]);
    expect(Math.min(...takenAt.slice(1).map((at, index) => at - takenAt[index]!))).toBeGreaterThanOrEqual(14_000);
    expect(budget.nextAvailableAt()).toBe(250 * 14_404);
  });

  it('never sends more than the capacity within an hour, even when a probe is taken late', () => {
    // 4 an hour: slots 15 min apart (and a quarter second for the late credit).
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock, writeLimitPerHour: 4, share: 1 });
    expect(budget.spacingMs).toBe(900_250);
    const sentAt: number[] = [];
    const ask = (ms: number) => {
      clock.set(ms);
      if (budget.tryTake()) sentAt.push(ms);
    };
    ask(0);
    // Nothing needed a probe at the next slot; one does almost a spacing later. Counted at its
    // slot, it would let the next three follow at once and put five sends in one hour.
    ask(2 * budget.spacingMs - 1_000);
    for (let ms = 2 * budget.spacingMs; ms < 4 * HOUR; ms += 1_000) ask(ms);
    expect(sentAt.slice(0, 3)).toEqual([0, 1_799_500, 2_700_500]);
    for (let index = 0; index + 4 < sentAt.length; index++) {
      expect(sentAt[index + 4]! - sentAt[index]!, `sends ${index}..${index + 4}: ${sentAt.slice(index, index + 5).join(', ')}`).toBeGreaterThanOrEqual(HOUR);
    }
  });

  it('counts a probe taken within the late credit at its slot, so one-second polls keep the pace', () => {
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock, writeLimitPerHour: 4, share: 1 });
    expect(budget.tryTake()).toBe(true);
    clock.set(budget.spacingMs + 1_000);
    expect(budget.tryTake()).toBe(true);
    expect(budget.nextAvailableAt()).toBe(2 * budget.spacingMs);
    clock.set(3 * budget.spacingMs + 1_001);
    expect(budget.tryTake()).toBe(true);
    expect(budget.nextAvailableAt()).toBe(4 * budget.spacingMs + 1_001);
  });

  it('gives no credit for a pause: after a quiet spell the pace starts again from then', () => {
    const clock = new ManualClock(0);
    const budget = new ProbeBudget({ clock, writeLimitPerHour: 4, share: 1 });
    expect(budget.tryTake()).toBe(true);
    clock.set(HOUR);
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(false);
    expect(budget.nextAvailableAt()).toBe(HOUR + budget.spacingMs);
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
