import { describe, expect, it } from 'vitest';
import { mainHostOf, siteWithHosts, withHost, withoutHost } from './site-config';

describe('site config hosts', () => {
  const site = siteWithHosts({ main: ['toot.example'], redirect: ['www.toot.example'], static: ['files.toot.example'] });

  it('makes the main host canonical', () => {
    expect(site.canonicalHost).toBe('toot.example');
    expect(mainHostOf(site)).toBe('toot.example');
    expect(mainHostOf(site, 'toot.example')).toBeNull();
  });

  it('changes one host and leaves the others as they are', () => {
    const added = withHost(site, 'Social.Example', 'alias');
    expect(added.hosts).toEqual({ ...site.hosts, 'social.example': { role: 'alias' } });
    expect(added.canonicalHost).toBe('toot.example');
    const removed = withoutHost(added, 'files.toot.example');
    expect(Object.keys(removed.hosts).sort()).toEqual(['social.example', 'toot.example', 'www.toot.example']);
    expect(site.hosts['files.toot.example']).toEqual({ role: 'static' });
  });

  it('has no canonical host once the main host is gone or given another role', () => {
    expect(withoutHost(site, 'toot.example').canonicalHost).toBeNull();
    expect(withHost(site, 'toot.example', 'alias').canonicalHost).toBeNull();
    expect(withoutHost(site, 'files.toot.example').canonicalHost).toBe('toot.example');
  });
});
