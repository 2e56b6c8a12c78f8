import { describe, expect, it } from 'vitest';
import { record } from '../../test/support/domain-record';
import type { DomainPage } from '../model';
import { DomainPageCache } from './domain-page-cache';

const page = (domain: string): DomainPage => {
  const { history: _history, ...summary } = record({ domain });
  return { items: [summary], next: null };
};
const first = { service: 'toot', limit: 100, after: undefined };

describe('DomainPageCache', () => {
  it('hands a page out again only at the revision it was read at, for the same service, limit and cursor', () => {
    const cache = new DomainPageCache();
    const stored = cache.put(first, 3, page('a.example'));
    expect(cache.get(first, 3)).toBe(stored);
    expect(cache.get(first, 4)).toBeUndefined();
    expect(cache.get({ ...first, limit: 10 }, 3)).toBeUndefined();
    expect(cache.get({ ...first, after: 'a.example' }, 3)).toBeUndefined();
    expect(cache.get({ ...first, service: 'other' }, 3)).toBeUndefined();
    // A newer read replaces the older one.
    const newer = cache.put(first, 4, page('b.example'));
    expect(cache.get(first, 4)).toBe(newer);
    expect(cache.get(first, 3)).toBeUndefined();
  });

  it('freezes what it keeps, all the way down', () => {
    const stored = new DomainPageCache().put(first, 1, page('a.example'));
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored.items[0]!.conditions[0])).toBe(true);
    expect(() => {
      (stored.items[0] as { state: string }).state = 'cached';
    }).toThrow(TypeError);
  });

  it('keeps at most its capacity, dropping the page stored longest ago', () => {
    const cache = new DomainPageCache(2);
    cache.put({ ...first, after: 'a' }, 1, page('a.example'));
    cache.put({ ...first, after: 'b' }, 1, page('b.example'));
    cache.put({ ...first, after: 'c' }, 1, page('c.example'));
    expect(cache.get({ ...first, after: 'a' }, 1)).toBeUndefined();
    expect(cache.get({ ...first, after: 'b' }, 1)).toBeDefined();
    expect(cache.get({ ...first, after: 'c' }, 1)).toBeDefined();
  });
});
