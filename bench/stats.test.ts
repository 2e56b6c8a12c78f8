import { describe, expect, it } from 'vitest';
import { percentile, sortedAscending } from './stats';

describe('percentile', () => {
  const values = sortedAscending([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);

  it('uses the nearest rank', () => {
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile(values, 100)).toBe(10);
  });

  it('is NaN for no values', () => {
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
  });
});
