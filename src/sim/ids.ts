import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Fastly-looking ids (22 alphanumerics) and random draws from one seeded generator, so a run is reproducible. */
export class SeededRandom {
  private readonly rng;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  /** A uniform float in [0, 1). */
  fraction(): number {
    return uniformInt(this.rng, 0, 0x7fffffff) / 0x80000000;
  }

  id(length = 22): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET[uniformInt(this.rng, 0, ALPHABET.length - 1)];
    return out;
  }

  /** Lower-case alphanumerics, for tokens in DNS names. */
  dnsLabel(length: number): string {
    return this.id(length).toLowerCase();
  }
}
