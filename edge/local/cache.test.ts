import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { DEFAULT_MAX_VARIANTS, EdgeCache } from './cache';

describe('EdgeCache', () => {
  const object = (body: string, surrogateKeys: string[], storedAt: number, vary: [string, string | null][] = []) => ({
    status: 200,
    statusText: 'OK',
    headers: [] as [string, string][],
    body: new TextEncoder().encode(body),
    storedAt,
    ttl: 60,
    swr: 0,
    sie: 0,
    surrogateKeys,
    vary,
  });
  const bodyOf = (cache: EdgeCache, key: string, headers: Record<string, string>) => {
    const found = cache.lookup(key, new Headers(headers));
    return found ? new TextDecoder().decode(found.object.body) : null;
  };

  it('evicts the least recently used objects past its byte budget', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock, maxBytes: 10, maxObjectBytes: 10 });
    cache.store('a', object('aaaa', [], clock.now()));
    cache.store('b', object('bbbb', [], clock.now()));
    cache.lookup('a', new Headers());
    cache.store('c', object('cccc', [], clock.now()));
    expect([cache.lookup('a', new Headers()) !== null, cache.lookup('b', new Headers()) !== null, cache.lookup('c', new Headers()) !== null]).toEqual([
      true,
      false,
      true,
    ]);
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

  it('keeps one variant per value of the varied request headers, all of them hitting', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock });
    cache.store('u', object('json', [], clock.now(), [['accept', 'application/activity+json']]));
    cache.store('u', object('html', [], clock.now(), [['accept', 'text/html']]));
    cache.store('u', object('none', [], clock.now(), [['accept', null]]));
    expect(bodyOf(cache, 'u', { accept: 'application/activity+json' })).toBe('json');
    expect(bodyOf(cache, 'u', { accept: '  text/html ' })).toBe('html');
    expect(bodyOf(cache, 'u', {})).toBe('none');
    expect(bodyOf(cache, 'u', { accept: 'image/png' })).toBeNull();
    expect(cache.size).toBe(3);
  });

  it('replaces the variant a newer response makes unreachable, keeping the byte count', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock });
    cache.store('u', object('en-old', [], clock.now(), [['accept-language', 'en']]));
    cache.store('u', object('de', [], clock.now(), [['accept-language', 'de']]));
    cache.store('u', object('en-new', [], clock.now(), [['accept-language', 'en']]));
    expect([bodyOf(cache, 'u', { 'accept-language': 'en' }), bodyOf(cache, 'u', { 'accept-language': 'de' })]).toEqual(['en-new', 'de']);
    expect([cache.size, cache.totalBytes]).toEqual([2, 8]);
    // A response without Vary answers every request, so it supersedes every variant.
    cache.store('u', object('all', [], clock.now()));
    expect([bodyOf(cache, 'u', { 'accept-language': 'de' }), cache.size, cache.totalBytes]).toEqual(['all', 1, 3]);
  });

  it('drops an expired variant without touching the others', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock });
    cache.store('u', object('en', [], clock.now(), [['accept-language', 'en']]));
    clock.advance(30_000);
    cache.store('u', object('de', [], clock.now(), [['accept-language', 'de']]));
    clock.advance(40_000);
    expect([bodyOf(cache, 'u', { 'accept-language': 'en' }), bodyOf(cache, 'u', { 'accept-language': 'de' })]).toEqual([null, 'de']);
    expect([cache.size, cache.totalBytes]).toEqual([1, 2]);
  });

  it('purging a surrogate key removes every variant carrying it', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock });
    for (const accept of ['application/activity+json', 'text/html', 'application/json']) {
      cache.store('u', object(accept, ['activitypub', 'x/u'], clock.now(), [['accept', accept]]));
    }
    cache.store('v', object('other', ['x/v'], clock.now()));
    expect(cache.purgeSurrogateKey('x/u')).toBe(3);
    expect(bodyOf(cache, 'u', { accept: 'text/html' })).toBeNull();
    expect([cache.size, cache.totalBytes]).toEqual([1, 5]);
  });

  it('bounds the variants of one key, evicting the oldest', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock, maxVariants: 3 });
    for (const language of ['en', 'de', 'fr', 'ja']) {
      cache.store('u', object(language, [], clock.now(), [['accept-language', language]]));
    }
    const found = ['en', 'de', 'fr', 'ja'].map((language) => bodyOf(cache, 'u', { 'accept-language': language }));
    expect(found).toEqual([null, 'de', 'fr', 'ja']);
    expect([cache.size, cache.totalBytes]).toEqual([3, 6]);
  });

  it('bounds variants at DEFAULT_MAX_VARIANTS by default', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock });
    for (let n = 0; n <= DEFAULT_MAX_VARIANTS; n++) cache.store('u', object(`v${n}`, [], clock.now(), [['x-variant', String(n)]]));
    expect(cache.size).toBe(DEFAULT_MAX_VARIANTS);
    expect(bodyOf(cache, 'u', { 'x-variant': '0' })).toBeNull();
    expect(bodyOf(cache, 'u', { 'x-variant': '1' })).toBe('v1');
  });

  it('refuses a variant bound below one', () => {
    expect(() => new EdgeCache({ maxVariants: 0 })).toThrow(/maxVariants must be a positive integer/);
  });

  it('refuses an object over its object cap, keeping what it holds', () => {
    const clock = new ManualClock();
    const cache = new EdgeCache({ clock, maxBytes: 16, maxObjectBytes: 8 });
    expect(cache.store('a', object('aaaa', [], clock.now()))).toBe(true);
    expect(cache.store('b', object('b'.repeat(9), [], clock.now()))).toBe(false);
    expect([cache.size, cache.totalBytes, cache.lookup('b', new Headers())]).toEqual([1, 4, null]);
    expect(new EdgeCache({ maxBytes: 100, maxObjectBytes: 500 }).maxObjectBytes).toBe(100);
  });
});
