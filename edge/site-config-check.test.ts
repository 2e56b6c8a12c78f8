import { describe, expect, it } from 'vitest';
import { siteWithHosts } from '../src/site-config';
import { SiteConfigSchema } from '../src/site-config-schema';
import { parseSiteConfig } from './site-config-check';

describe('the edge check of the site config', () => {
  it('reads what the control plane writes, as the control plane reads it', () => {
    const site = {
      ...siteWithHosts({ main: ['toot.example'], alias: ['social.example'], redirect: ['www.toot.example'], static: ['files.toot.example'] }),
      staticPathPrefix: '/media',
    };
    const text = JSON.stringify(site);
    expect(parseSiteConfig(text)).toEqual(site);
    expect(parseSiteConfig(text)).toEqual(SiteConfigSchema.parse(JSON.parse(text)));
  });

  it('fills the defaults the control plane fills, and lower-cases host names', () => {
    const parsed = parseSiteConfig(JSON.stringify({ hosts: { 'Toot.Example': { role: 'main' } }, canonicalHost: 'Toot.Example' }));
    expect(parsed).toEqual({
      hosts: { 'toot.example': { role: 'main' } },
      canonicalHost: 'toot.example',
      backends: { main: 'main_origin', static: 'static_origin' },
      staticHostHeader: null,
      staticPathPrefix: null,
    });
  });

  it.each([
    ['absent', null],
    ['not JSON', '{hosts'],
    ['the old shape', JSON.stringify({ mainDomain: 'toot.example', staticDomain: null })],
    ['hosts not an object', JSON.stringify({ hosts: ['toot.example'], canonicalHost: null })],
    ['an unknown role', JSON.stringify({ hosts: { 'toot.example': { role: 'primary' } }, canonicalHost: null })],
    ['a role that is not a string', JSON.stringify({ hosts: { 'toot.example': { role: 1 } }, canonicalHost: null })],
    ['a canonical host that is not a string', JSON.stringify({ hosts: {}, canonicalHost: 7 })],
    ['backends without a static one', JSON.stringify({ hosts: {}, canonicalHost: null, backends: { main: 'a' } })],
    ['a path prefix that is not a string', JSON.stringify({ hosts: {}, canonicalHost: null, staticPathPrefix: ['/x'] })],
  ])('refuses %s, as the control plane does', (_what, text) => {
    expect(parseSiteConfig(text)).toBeNull();
    if (text !== null && text !== '{hosts') expect(SiteConfigSchema.safeParse(JSON.parse(text)).success).toBe(false);
  });
});
