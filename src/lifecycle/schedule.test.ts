import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, isStale, nextProbeDelay, unavailableDelay } from './schedule';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const middle = () => 0.5;

/** Probe times of a domain that is never released, from 0 to `untilMs`. */
function probeTimes(untilMs: number, random: () => number = middle, options: { initialMs?: number; maxMs?: number } = {}): number[] {
  const times = [0];
  for (let now = 0; now < untilMs; ) {
    now += nextProbeDelay({ waitingSinceMs: 0, nowMs: now, random, ...options });
    times.push(now);
  }
  return times;
}

describe('nextProbeDelay', () => {
  it('probes about every minute during the first hour', () => {
    const firstHour = probeTimes(HOUR).filter((t) => t < HOUR);
    expect(firstHour).toHaveLength(60);
    expect(nextProbeDelay({ waitingSinceMs: 0, nowMs: 59 * MINUTE, random: middle })).toBe(MINUTE);
  });

  it('then doubles the delay from probe to probe up to the cap', () => {
    const cap = { maxMs: 5 * MINUTE };
    const delays = [60, 62, 64, 68, 73].map((minute) => nextProbeDelay({ waitingSinceMs: 0, nowMs: minute * MINUTE, random: middle, ...cap }));
    expect(delays).toEqual([2, 2, 4, 5, 5].map((m) => m * MINUTE));
    // The default cap (2 min) is reached at the first step after the fast phase.
    expect(nextProbeDelay({ waitingSinceMs: 0, nowMs: 61 * MINUTE, random: middle })).toBe(2 * MINUTE);
    expect(DEFAULT_RETRY.maxMs).toBe(2 * MINUTE);
    const times = probeTimes(3 * HOUR, middle, cap);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.slice(60)).toEqual([2, 2, 4, ...Array(gaps.length - 63).fill(5)].map((m) => m * MINUTE));
  });

  it('never exceeds the cap, whatever the jitter, and spreads probes by ±20 %', () => {
    for (const random of [0, 0.25, 0.5, 0.999]) {
      for (const now of [0, 30 * MINUTE, 2 * HOUR, 30 * 24 * HOUR]) {
        const delay = nextProbeDelay({ waitingSinceMs: 0, nowMs: now, random: () => random });
        expect(delay).toBeLessThanOrEqual(DEFAULT_RETRY.maxMs);
        expect(delay).toBeGreaterThanOrEqual(0.8 * MINUTE);
      }
    }
    expect(nextProbeDelay({ waitingSinceMs: 0, nowMs: 0, random: () => 0 })).toBe(48_000);
    expect(nextProbeDelay({ waitingSinceMs: 0, nowMs: 0, random: () => 0.999 })).toBe(Math.round(MINUTE * (0.8 + 0.4 * 0.999)));
  });

  it('follows the configured initial and maximum delays (EDGEPLANE_RETRY_INITIAL / _MAX)', () => {
    expect(nextProbeDelay({ waitingSinceMs: 0, nowMs: 0, initialMs: 2_000, maxMs: 30_000, random: middle })).toBe(2_000);
    expect(nextProbeDelay({ waitingSinceMs: 0, nowMs: 5 * HOUR, initialMs: 2_000, maxMs: 30_000, random: middle })).toBe(30_000);
    // An initial delay above the cap is the cap.
    expect(nextProbeDelay({ waitingSinceMs: 0, nowMs: 0, initialMs: 60_000, maxMs: 10_000, random: middle })).toBe(10_000);
  });

  it('starts over from the last reset ("retry now" moves waitingSinceMs)', () => {
    const resetAt = 5 * HOUR;
    expect(nextProbeDelay({ waitingSinceMs: 0, nowMs: resetAt, random: middle })).toBe(2 * MINUTE);
    expect(nextProbeDelay({ waitingSinceMs: resetAt, nowMs: resetAt, random: middle })).toBe(MINUTE);
  });

  it('makes about 60 + 30 per hour probes over a week: bounded write use', () => {
    const week = probeTimes(7 * 24 * HOUR);
    expect(week.length).toBeGreaterThan(60 + 30 * (7 * 24 - 2));
    expect(week.length).toBeLessThan(60 + 30 * 7 * 24 + 10);
  });
});

describe('isStale and unavailableDelay', () => {
  it('flags a wait of 7 days', () => {
    expect(isStale(0, 7 * 24 * HOUR - 1)).toBe(false);
    expect(isStale(0, 7 * 24 * HOUR)).toBe(true);
  });

  it('retries an outage within half to one initial delay', () => {
    expect(unavailableDelay({ initialMs: 1_000, random: () => 0 })).toBe(500);
    expect(unavailableDelay({ initialMs: 1_000, random: () => 0.999 })).toBe(1_000);
  });
});
