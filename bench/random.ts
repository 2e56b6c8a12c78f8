import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded source of uniform numbers in [0, 1); every benchmark draws from one, so runs repeat. */
export interface Random {
  next(): number;
}

export function seededRandom(seed: number): Random {
  // Scrambled first: xoroshiro's first outputs are nearly equal for neighbouring seeds.
  const generator = xoroshiro128plus(Math.floor(hashUnit(seed, 0x5eed) * 0x7fff_ffff));
  return { next: () => uniformFloat64(generator) };
}

/** Integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random.next() * n);
}

/** Exponentially distributed value with the given mean. */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random.next()) * mean;
}

/** Log-uniform value in [min, max]: sizes spread over orders of magnitude, like media files. */
export function logUniform(unit: number, min: number, max: number): number {
  return Math.round(Math.exp(Math.log(min) + unit * (Math.log(max) - Math.log(min))));
}

/**
 * A stable uniform number in [0, 1) for (seed, a, b): per-object attributes (size, change
 * times, which one is missing) derived on demand instead of stored for a million objects.
 */
export function hashUnit(seed: number, a: number, b = 0): number {
  let h = (seed ^ Math.imul(a + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 0x1_0000_0000;
}

/** Draws ranks 0..n-1 with P(rank k) proportional to 1/(k+1)^exponent (Zipf). */
export class ZipfSampler {
  private readonly cumulative: Float64Array;

  constructor(
    readonly size: number,
    exponent: number,
  ) {
    this.cumulative = new Float64Array(size);
    let total = 0;
    for (let rank = 0; rank < size; rank++) {
      total += 1 / (rank + 1) ** exponent;
      this.cumulative[rank] = total;
    }
    for (let rank = 0; rank < size; rank++) this.cumulative[rank]! /= total;
  }

  sample(random: Random): number {
    const target = random.next();
    let low = 0;
    let high = this.size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Picks one of several weighted choices. */
export function weightedPick<T>(random: Random, choices: ReadonlyArray<readonly [T, number]>): T {
  let total = 0;
  for (const [, weight] of choices) total += weight;
  let target = random.next() * total;
  for (const [value, weight] of choices) {
    target -= weight;
    if (target < 0) return value;
  }
  return choices[choices.length - 1]![0];
}
