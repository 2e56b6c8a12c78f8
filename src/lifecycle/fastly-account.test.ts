import { describe, expect, it } from 'vitest';
import { checkFastlyAccount } from './fastly-account';

const real = { apiUrl: 'https://api.fastly.com', customerId: 'c1' };

describe('checkFastlyAccount', () => {
  it('records the account of a new database', () => {
    expect(checkFastlyAccount(null, real, false)).toMatchObject({ ok: true, record: real });
  });

  it('accepts the same API and account, whatever trailing slash', () => {
    expect(checkFastlyAccount(real, { ...real, apiUrl: 'https://api.fastly.com/' }, false)).toMatchObject({ ok: true, record: null });
  });

  it('refuses another account, naming the recorded one and the given one', () => {
    const check = checkFastlyAccount(real, { ...real, customerId: 'c2' }, false);
    expect(check).toEqual({ ok: false, recorded: real, reason: 'the database was created for account c1, but the configuration gives account c2' });
  });

  it('refuses another API', () => {
    const check = checkFastlyAccount(real, { apiUrl: 'http://127.0.0.1:8900', customerId: 'c1' }, false);
    expect(check).toMatchObject({
      ok: false,
      reason: 'the database was created for Fastly API https://api.fastly.com, but the configuration gives API http://127.0.0.1:8900',
    });
  });

  it('records the given account when the operator asks to rebind', () => {
    const other = { apiUrl: 'http://127.0.0.1:8900', customerId: 'c2' };
    expect(checkFastlyAccount(real, other, true)).toMatchObject({ ok: true, record: other });
  });
});
