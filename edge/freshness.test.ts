import { describe, expect, it } from 'vitest';
import { CACHEABLE_STATUSES, DEFAULT_TTL_SECONDS, originFreshness, parseDirectives } from './freshness';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('originFreshness follows Fastly default rules', () => {
  it.each([
    ['Surrogate-Control wins over Cache-Control', { 'surrogate-control': 'max-age=600', 'cache-control': 's-maxage=60, max-age=30' }, 600, 'surrogate-control'],
    ['s-maxage wins over max-age', { 'cache-control': 'max-age=30, s-maxage=90' }, 90, 's-maxage'],
    ['max-age wins over Expires', { 'cache-control': 'max-age=30', expires: 'Thu, 01 Jan 2026 01:00:00 GMT' }, 30, 'max-age'],
    ['Expires relative to Date', { expires: 'Thu, 01 Jan 2026 01:00:00 GMT', date: 'Thu, 01 Jan 2026 00:30:00 GMT' }, 1800, 'expires'],
    ['Expires relative to now without Date', { expires: 'Thu, 01 Jan 2026 00:10:00 GMT' }, 600, 'expires'],
    ['an unparsable Expires is already expired', { expires: '0' }, 0, 'expires'],
    ['Age is subtracted', { 'cache-control': 'max-age=300', age: '100' }, 200, 'max-age'],
    ['Age never makes it negative', { 'cache-control': 'max-age=300', age: '1000' }, 0, 'max-age'],
  ])('%s', (_name, headers, ttl, source) => {
    const freshness = originFreshness(new Headers(headers), now);
    expect(freshness).toMatchObject({ ttl, source, explicit: true });
  });

  it('defaults to 2 minutes and says it is not explicit', () => {
    expect(DEFAULT_TTL_SECONDS).toBe(120);
    expect(originFreshness(new Headers({ 'cache-control': 'public' }), now)).toMatchObject({ ttl: 120, explicit: false, source: 'default' });
  });

  it('reads stale-while-revalidate and stale-if-error, Surrogate-Control first', () => {
    const freshness = originFreshness(
      new Headers({
        'surrogate-control': 'max-age=60, stale-while-revalidate=30',
        'cache-control': 'max-age=10, stale-while-revalidate=5, stale-if-error=86400',
      }),
      now,
    );
    expect(freshness).toMatchObject({ ttl: 60, swr: 30, sie: 86400 });
  });

  it('knows the cacheable statuses', () => {
    expect([...CACHEABLE_STATUSES].sort((a, b) => a - b)).toEqual([200, 203, 300, 301, 302, 404, 410]);
  });

  it('parses directives case-insensitively with quoted values', () => {
    const directives = parseDirectives('Public, MAX-AGE=5, no-cache="set-cookie"');
    expect(directives.get('public')).toBe('');
    expect(directives.get('max-age')).toBe('5');
    expect(directives.get('no-cache')).toBe('set-cookie');
  });
});
