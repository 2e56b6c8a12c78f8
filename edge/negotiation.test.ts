import { describe, expect, it } from 'vitest';
import { acceptKind, hostMetaKind, normaliseLanguage } from './negotiation';

describe('acceptKind', () => {
  it.each([
    ['application/activity+json', 'activitypub'],
    ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 'activitypub'],
    ['application/json', 'activitypub'],
    ['application/jrd+json', 'activitypub'],
    ['text/x-json', 'activitypub'],
    ['application/jsonrequest', 'activitypub'],
    ['application/rss+xml', 'rss'],
    ['application/rss+xml, text/xml;q=0.9', 'rss'],
    ['text/html,application/xhtml+xml,*/*;q=0.8', 'html'],
    ['*/*', 'html'],
  ])('%s -> %s', (accept, kind) => {
    expect(acceptKind(accept)).toBe(kind);
  });

  it('treats a missing Accept as HTML', () => {
    expect(acceptKind(null)).toBe('html');
  });
});

describe('hostMetaKind', () => {
  it('splits JSON from everything else (XRD)', () => {
    expect([null, '*/*', 'application/xrd+xml', 'application/json', 'application/jrd+json'].map(hostMetaKind)).toEqual(['xrd', 'xrd', 'xrd', 'json', 'json']);
  });
});

describe('normaliseLanguage', () => {
  it.each([
    ['de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7', 'de'],
    ['en-US,en;q=0.5', 'en'],
    ['en-GB', 'en-GB'],
    ['pt-br', 'pt-BR'],
    ['zh-TW,zh;q=0.9', 'zh-TW'],
    ['fr;q=0.5, ja', 'ja'],
    ['fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5', 'fr'],
    ['*', null],
    ['en;q=0', null],
    ['', null],
    [null, null],
  ])('%s -> %s', (header, language) => {
    expect(normaliseLanguage(header)).toBe(language);
  });

  it('keeps the first of equally weighted tags', () => {
    expect(normaliseLanguage('nl, de')).toBe('nl');
  });
});
