import { describe, expect, it } from 'vitest';
import { normalisePath } from './path';

describe('normalisePath', () => {
  it.each([
    ['/system/%62ackups/a.zip', '/system/backups/a.zip'],
    ['/system//backups/a.zip', '/system/backups/a.zip'],
    ['/system/media/../backups/a.zip', '/system/backups/a.zip'],
    ['/system/%2e%2e/system/./backups/a.zip', '/system/backups/a.zip'],
    ['//127.0.0.1:8080/steal', '/127.0.0.1:8080/steal'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/users/alice/..', '/users/'],
    ['/tags/%c3%a9t%C3%A9', '/tags/%C3%A9t%C3%A9'],
    ['/@alice', '/@alice'],
    ['/', '/'],
  ])('%s -> %s', (raw, path) => {
    expect(normalisePath(raw).path).toBe(path);
  });

  it('routes on a lower-case copy, keeping the path as sent for the key and the origin', () => {
    expect(normalisePath('/system/Backups/A.zip')).toMatchObject({ path: '/system/Backups/A.zip', routingPath: '/system/backups/a.zip' });
  });

  it('flags escaped slashes, backslashes and NULs, which an origin may decode into structure', () => {
    expect(['/system/backups%2fa.zip', '/a%5C..%5Cb', '/a%00', '/a/b'].map((raw) => normalisePath(raw).opaque)).toEqual([true, true, true, false]);
  });

  it('never produces a path that names a host', () => {
    for (const raw of ['//evil.example/x', '/%2F/evil.example/x', '/.//evil.example', '/a/..//evil.example']) {
      const { path } = normalisePath(raw);
      expect(path.startsWith('//')).toBe(false);
      expect(new URL(path, 'https://toot.example').host).toBe('toot.example');
    }
  });
});
