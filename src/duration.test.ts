import { describe, expect, it } from 'vitest';
import { durationOrNull } from './duration';
import { Duration } from './duration-schema';

describe('durationOrNull', () => {
  it.each([
    ['0', 0],
    ['1500', 1500],
    [' 2s ', 2000],
    ['500ms', 500],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['2 days', 172_800_000],
    [250, 250],
  ])('reads %j as %d ms', (value, expected) => {
    expect(durationOrNull(value)).toBe(expected);
  });

  it.each(['', '   ', 'soon', '-1s', '5x', '1e400', 'Infinity', -1, Number.POSITIVE_INFINITY])('refuses %j', (value) => {
    expect(durationOrNull(value)).toBeNull();
  });
});

describe('Duration', () => {
  it('gives milliseconds, and names the value it refuses', () => {
    expect(Duration.parse('10m')).toBe(600_000);
    const refused = Duration.safeParse('soon');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('not a duration: "soon" (try 500ms, 2s, 10m, 1h)');
  });
});
