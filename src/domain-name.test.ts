import { describe, expect, it } from 'vitest';
import { parseDomainName } from './domain-name';
import { isEdgeplaneError } from './errors';

function rejection(input: string): string {
  try {
    parseDomainName(input);
  } catch (error) {
    if (isEdgeplaneError(error, 'invalid_input')) return error.detail;
    throw error;
  }
  throw new Error(`expected "${input}" to be rejected`);
}

describe('parseDomainName', () => {
  it('lower-cases and keeps valid names as they are', () => {
    expect(parseDomainName('Toot.Example')).toBe('toot.example');
    expect(parseDomainName('files.toot.example')).toBe('files.toot.example');
    expect(parseDomainName('a-b.c0.example')).toBe('a-b.c0.example');
  });

  it('turns internationalised names into punycode', () => {
    expect(parseDomainName('bücher.de')).toBe('xn--bcher-kva.de');
    expect(parseDomainName('xn--bcher-kva.de')).toBe('xn--bcher-kva.de');
    expect(parseDomainName('ÉCOLE.example')).toBe('xn--cole-9oa.example');
  });

  it('accepts the longest label and the longest name', () => {
    const label63 = 'a'.repeat(63);
    expect(parseDomainName(`${label63}.example`)).toBe(`${label63}.example`);
    const longest = [label63, label63, label63, 'a'.repeat(61)].join('.');
    expect(longest).toHaveLength(253);
    expect(parseDomainName(longest)).toBe(longest);
  });

  it.each([
    ['', /empty/],
    ['toot', /single label/],
    ['*.toot.example', /wildcard/],
    ['toot.example/about', /path/],
    ['https://toot.example', /port|path/],
    ['toot.example:443', /port/],
    ['toot.example?x=1', /query/],
    [' toot.example', /whitespace/],
    ['toot example.org', /whitespace/],
    ['toot.example\n', /whitespace/],
    ['user@toot.example', /user information/],
    ['toot..example', /empty label/],
    ['.toot.example', /empty label/],
    ['toot.example.', /ends with a dot/],
    ['-toot.example', /hyphen/],
    ['toot-.example', /hyphen/],
    ['to_ot.example', /letters, digits and hyphens/],
    ['192.168.0.1', /IP address/],
    ['[::1]', /IPv6/],
    ['xn--zz.example', /internationalised/],
    ['toot%2eexample', /percent/],
  ])('rejects %j', (input, why) => {
    expect(rejection(input)).toMatch(why);
  });

  it('rejects a label of 64 characters and a name of 254', () => {
    expect(rejection(`${'a'.repeat(64)}.example`)).toMatch(/longer than 63/);
    const tooLong = ['a'.repeat(63), 'a'.repeat(63), 'a'.repeat(63), 'a'.repeat(62)].join('.');
    expect(tooLong).toHaveLength(254);
    expect(rejection(tooLong)).toMatch(/longer than 253/);
  });
});
