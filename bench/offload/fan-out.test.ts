import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random';
import { FanOut } from './fan-out';

const START = Date.parse('2026-01-05T12:00:00Z');
const MINUTE = 60_000;

describe('FanOut', () => {
  it('has no post to offer before the first one is written', () => {
    expect(new FanOut(seededRandom(1), START).pick(START, false)).toBeNull();
  });

  it('offers posts written about every 6 s, mostly from the last few minutes', () => {
    const fanOut = new FanOut(seededRandom(2), START);
    const now = START + 60 * MINUTE;
    const picks = Array.from({ length: 2_000 }, () => fanOut.pick(now, false)!);
    const newest = Math.max(...picks.map((post) => post.index));
    expect(newest).toBeGreaterThan(500);
    expect(newest).toBeLessThan(700);
    const ages = picks.map((post) => now - post.createdAtMs).sort((a, b) => a - b);
    expect(ages[Math.floor(ages.length / 2)]!).toBeLessThan(10 * MINUTE);
    expect(ages.every((age) => age >= 0 && age <= 30 * MINUTE)).toBe(true);
  });

  it('favours posts that reach many servers, and offers only posts with media when asked', () => {
    const fanOut = new FanOut(seededRandom(3), START);
    const now = START + 30 * MINUTE;
    const picks = Array.from({ length: 2_000 }, () => fanOut.pick(now, true)!);
    expect(picks.every((post) => post.attachments >= 1 && post.attachments <= 4)).toBe(true);
    const counts = new Map<number, number>();
    for (const post of picks) counts.set(post.index, (counts.get(post.index) ?? 0) + 1);
    const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const topPost = picks.find((post) => post.index === top![0])!;
    const median = [...new Set(picks)].map((post) => post.reach).sort((a, b) => a - b)[Math.floor(counts.size / 2)]!;
    expect(topPost.reach).toBeGreaterThan(median);
  });
});
