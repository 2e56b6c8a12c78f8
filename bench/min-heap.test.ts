import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap';
import { seededRandom } from './random';

describe('MinHeap', () => {
  it('pops items in key order', () => {
    const random = seededRandom(7);
    const values = Array.from({ length: 500 }, () => Math.floor(random.next() * 100));
    const heap = new MinHeap<number>((value) => value);
    for (const value of values) heap.push(value);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop()!);
    expect(popped).toEqual([...values].sort((a, b) => a - b));
  });

  it('returns undefined when empty', () => {
    expect(new MinHeap<number>((value) => value).pop()).toBeUndefined();
  });
});
