import { describe, expect, it } from 'vitest';
import { hashUnit, logUniform, seededRandom, ZipfSampler } from './random';

describe('seededRandom', () => {
  it('repeats for one seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(Array.from({ length: 5 }, a.next)).toEqual(Array.from({ length: 5 }, b.next));
  });

  it('gives unrelated first draws for neighbouring seeds', () => {
    const firsts = Array.from({ length: 200 }, (_, seed) => seededRandom(seed).next());
    const belowHalf = firsts.filter((value) => value < 0.5).length;
    expect(belowHalf).toBeGreaterThan(70);
    expect(belowHalf).toBeLessThan(130);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(0.9);
  });
});

describe('hashUnit', () => {
  it('is stable and in [0, 1)', () => {
    expect(hashUnit(1, 2, 3)).toBe(hashUnit(1, 2, 3));
    expect(hashUnit(1, 2, 3)).not.toBe(hashUnit(1, 3, 2));
    for (let id = 0; id < 1000; id++) {
      const value = hashUnit(9, id);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});

describe('logUniform', () => {
  it('maps the unit interval onto [min, max]', () => {
    expect(logUniform(0, 5_000, 100_000)).toBe(5_000);
    expect(logUniform(1, 5_000, 100_000)).toBe(100_000);
    expect(logUniform(0.5, 100, 10_000)).toBe(1_000);
  });
});

describe('ZipfSampler', () => {
  it('draws rank k about twice as often as rank 2k+1 with exponent 1', () => {
    const sampler = new ZipfSampler(1000, 1);
    const random = seededRandom(3);
    const counts = new Array<number>(1000).fill(0);
    for (let draw = 0; draw < 200_000; draw++) counts[sampler.sample(random)]!++;
    expect(counts[0]! / counts[1]!).toBeGreaterThan(1.8);
    expect(counts[0]! / counts[1]!).toBeLessThan(2.2);
    expect(counts[0]!).toBeGreaterThan(counts[10]! * 8);
    expect(counts.every((count) => count >= 0)).toBe(true);
  });
});
