import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { EdgeCache } from './cache';

describe('EdgeCache', () => {
  const object = (body: string, surrogateKeys: string[], storedAt: number) => ({
    status: 200,
    statusText: 'OK',
    headers: [] as [string, string][],
    body: new TextEncoder().encode(body),
    storedAt,
    ttl: 60,
    swr: 0,
    sie: 0,
    surrogateKeys,
    vary: [] as [string, string | null][],
  });

  it('evicts the least recently used objects past its byte budget', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock, maxBytes: 10 });
    cache.store('a', object('aaaa', [], clock.now()));
    cache.store('b', object('bbbb', [], clock.now()));
    cache.lookup('a', new Headers());
    cache.store('c', object('cccc', [], clock.now()));
    expect([cache.lookup('a', new Headers()) !== null, cache.lookup('b', new Headers()) !== null, cache.lookup('c', new Headers()) !== null]).toEqual([true, false, true]);
    expect(cache.totalBytes).toBe(8);
  });

  it('purges by surrogate key', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock });
    cache.store('a', object('a', ['media', 'x/a'], clock.now()));
    cache.store('b', object('b', ['media', 'x/b'], clock.now()));
    cache.store('c', object('c', ['html'], clock.now()));
    expect(cache.purgeSurrogateKey('media')).toBe(2);
    expect(cache.size).toBe(1);
  });
});
