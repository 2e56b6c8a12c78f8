import { describe, expect, it } from 'vitest';
import { anchorStorage } from './anchor';
import { MAIN_HOST, STATIC_HOST } from './site';

const NOW = Date.parse('2026-01-05T12:00:00Z');
const answer = (status: number, headers: Record<string, string>) => ({ status, headers: new Headers(headers) });

describe('anchorStorage (the Fastly module rules)', () => {
  it('applies the static-path fix-ups Rails needs', () => {
    expect(anchorStorage(MAIN_HOST, '/sw.js', answer(200, {}), NOW)?.ttl).toBe(300);
    for (const path of [
      '/emoji/1f600.svg',
      '/sounds/boop.ogg',
      '/avatars/original/missing.png',
      '/headers/original/missing.png',
      '/shortcuts/x.png',
      '/favicon.ico',
      '/robots.txt',
      '/embed.js',
    ]) {
      expect(anchorStorage(MAIN_HOST, path, answer(200, {}), NOW)?.ttl).toBe(3600);
    }
  });

  it('keeps media for an hour whatever the origin says, 404s included', () => {
    expect(anchorStorage(STATIC_HOST, '/a.png', answer(200, { 'cache-control': 'public, max-age=315576000' }), NOW)?.ttl).toBe(3600);
    expect(anchorStorage(STATIC_HOST, '/a.png', answer(404, {}), NOW)?.ttl).toBe(3600);
    expect(anchorStorage(STATIC_HOST, '/a.png', answer(400, {}), NOW)).toBeNull();
  });

  it('passes Set-Cookie, private, no-store, and responses without an explicit lifetime', () => {
    expect(anchorStorage(MAIN_HOST, '/@a', answer(200, { 'cache-control': 'max-age=15, public', 'set-cookie': 'a=b' }), NOW)).toBeNull();
    expect(anchorStorage(MAIN_HOST, '/users/a', answer(200, { 'cache-control': 'max-age=180, private' }), NOW)).toBeNull();
    expect(anchorStorage(MAIN_HOST, '/api/v1/timelines/home', answer(200, { 'cache-control': 'no-store' }), NOW)).toBeNull();
    expect(anchorStorage(MAIN_HOST, '/about', answer(200, {}), NOW)).toBeNull();
  });

  it("keeps everything else for the origin's lifetime", () => {
    expect(anchorStorage(MAIN_HOST, '/users/a', answer(200, { 'cache-control': 'max-age=180, public' }), NOW)).toEqual({ ttl: 180, swr: 0 });
    expect(anchorStorage(MAIN_HOST, '/packs/a.js', answer(200, { 'cache-control': 'public, max-age=2419200' }), NOW)?.ttl).toBe(2419200);
  });
});
