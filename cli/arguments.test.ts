import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { countArgument, durationArgument, serviceArgument } from './arguments';

describe('durationArgument', () => {
  it('is a usage error naming the value', () => {
    expect(() => durationArgument('soon')).toThrow(new InvalidArgumentError('not a duration: "soon" (try 500ms, 2s, 10m, 1h)'));
    expect(durationArgument('1m')).toBe(60_000);
  });
});

describe('countArgument', () => {
  it('takes a whole number from 1 up and refuses anything else as a usage error', () => {
    expect([countArgument('1'), countArgument('250'), countArgument('5000')]).toEqual([1, 250, 5000]);
    for (const value of ['0', '-1', '2.5', 'ten', '', ' 3', '1e3', '99999999999999999999']) {
      expect(() => countArgument(value), value).toThrow(InvalidArgumentError);
    }
  });
});

describe('serviceArgument', () => {
  it('keeps a name and refuses an empty one, as an empty EDGEPLANE_SERVICE gives', () => {
    expect(serviceArgument('toot')).toBe('toot');
    expect(() => serviceArgument('')).toThrow(/service name is required \(is EDGEPLANE_SERVICE set but empty\?\)/);
    expect(() => serviceArgument('  ')).toThrow(InvalidArgumentError);
  });
});
