import { describe, expect, it } from 'vitest';
import { siteWithHosts } from '../src/site-config';
import { explainLine } from './explain';

const site = siteWithHosts({ main: ['toot.example'], static: ['files.toot.example'] });
const now = Date.parse('2026-01-01T00:00:00Z');
const explainOn = (input: unknown) => explainLine(JSON.stringify(input), site, true, now);

describe('explainLine', () => {
  it('says what happens to a request, without a response', () => {
    expect(explainOn({ request: { method: 'GET', url: 'https://toot.example/packs/a.js', headers: {} } })).toEqual({
      ok: true,
      output: { origin: 'main', action: 'cache', store: null, ttl: null, reason: 'fingerprinted asset: 28 days' },
    });
  });

  it('says whether and how long a response would be kept', () => {
    const result = explainOn({
      request: { method: 'GET', url: '/users/alice', headers: { accept: 'application/activity+json' } },
      response: { status: 200, headers: { 'cache-control': 'public, max-age=180' } },
    });
    expect(result).toMatchObject({ ok: true, output: { origin: 'main', action: 'cache', store: true, ttl: 180 } });
    const privateAnswer = explainOn({
      request: { url: '/users/alice', headers: {} },
      response: { status: 200, headers: { 'cache-control': 'private' } },
    });
    expect(privateAnswer).toMatchObject({ ok: true, output: { store: false, ttl: null, reason: expect.stringMatching(/rule 2/) } });
  });

  it('resolves a path against the Host header', () => {
    expect(explainOn({ request: { url: '/a.png', headers: { host: 'files.toot.example' } } })).toMatchObject({ output: { origin: 'static' } });
    expect(explainOn({ request: { url: '/a.png', headers: { host: 'other.example' } } })).toMatchObject({ output: { origin: null, action: 'refuse' } });
  });

  it('reads a path starting with // as a path, never as a host', () => {
    expect(explainOn({ request: { url: '//settings/profile', headers: {} } })).toMatchObject({ output: { origin: 'main', action: 'pass' } });
    expect(explainOn({ request: { url: '//evil.example/packs/a.js', headers: {} } })).toMatchObject({ output: { origin: 'main' } });
  });

  it('follows the switch', () => {
    expect(explainLine(JSON.stringify({ request: { url: '/packs/a.js' } }), site, false, now)).toMatchObject({ output: { action: 'pass' } });
  });

  it('gives clear errors for bad lines', () => {
    expect(explainLine('{oops', site, true, now)).toEqual({ ok: false, error: 'not JSON' });
    expect(explainOn({ request: {} })).toMatchObject({ ok: false, error: expect.stringMatching(/^request\.url: /) });
    expect(explainOn({ request: { url: '/' }, response: { status: 99 } })).toMatchObject({ ok: false, error: expect.stringMatching(/^response\.status: /) });
    expect(explainOn({ request: { url: 'http://[bad' } })).toMatchObject({ ok: false });
  });
});
