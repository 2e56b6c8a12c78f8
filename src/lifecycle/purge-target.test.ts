import { describe, expect, it } from 'vitest';
import { purgeTarget } from './purge-target';

const hosts = ['toot.example', 'files.toot.example'];

describe('purgeTarget', () => {
  it('rebuilds the cached URL of a host of the service from its parsed parts', () => {
    expect(purgeTarget('https://toot.example/@alice/1?x=1', hosts)).toEqual({ ok: true, host: 'toot.example', cachedUrl: 'toot.example/@alice/1?x=1' });
    expect(purgeTarget('HTTP://FILES.toot.example/a b', hosts)).toEqual({ ok: true, host: 'files.toot.example', cachedUrl: 'files.toot.example/a%20b' });
  });

  it('resolves dot segments, plain or encoded, before anything is sent, and keeps encoded slashes encoded', () => {
    expect(purgeTarget('https://toot.example/../../service/beta/purge_all', hosts)).toMatchObject({ cachedUrl: 'toot.example/service/beta/purge_all' });
    expect(purgeTarget('https://toot.example/%2e%2e/%2E%2E/service', hosts)).toMatchObject({ cachedUrl: 'toot.example/service' });
    expect(purgeTarget('https://toot.example/a%2F..%2F..%2Fservice', hosts)).toMatchObject({ cachedUrl: 'toot.example/a%2F..%2F..%2Fservice' });
  });

  it('refuses other schemes, other hosts, ports and credentials, saying why', () => {
    expect(purgeTarget('javascript:alert(1)', hosts)).toEqual({ ok: false, reason: 'only http(s) URLs can be purged, not javascript:' });
    expect(purgeTarget('file:///etc/passwd', hosts)).toEqual({ ok: false, reason: 'only http(s) URLs can be purged, not file:' });
    expect(purgeTarget('https://x/../../service/beta/purge_all', hosts)).toEqual({
      ok: false,
      reason: 'x is not a host of this service (its hosts: toot.example, files.toot.example)',
    });
    expect(purgeTarget('https://toot.example:8443/', hosts)).toEqual({ ok: false, reason: 'a purge URL has no port (got 8443)' });
    expect(purgeTarget('https://a:b@toot.example/', hosts)).toEqual({ ok: false, reason: 'a purge URL carries no user name or password' });
    expect(purgeTarget('toot.example/a', hosts)).toEqual({ ok: false, reason: '"toot.example/a" is not a URL' });
  });
});
