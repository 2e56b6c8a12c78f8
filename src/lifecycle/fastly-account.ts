import type { FastlyAccount } from '../store';

// A database describes services of one Fastly account behind one API. Serving it with the token
// of another account (or against another API) would treat that account's services as missing
// and create or edit the wrong ones, so the process checks before it starts.

export type AccountCheck = { ok: true; record: FastlyAccount | null; reason: string } | { ok: false; recorded: FastlyAccount; reason: string };

/** Trailing slashes do not make another API. */
export function normalApiUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Decides whether a database that recorded `recorded` may be served with `current`. Returns the
 * account to record when it should change (a new database, or `rebind` chosen by the operator).
 */
export function checkFastlyAccount(recorded: FastlyAccount | null, current: FastlyAccount, rebind: boolean): AccountCheck {
  if (recorded === null) return { ok: true, record: current, reason: 'the database records its Fastly account for the first time' };
  const sameApi = normalApiUrl(recorded.apiUrl) === normalApiUrl(current.apiUrl);
  const sameCustomer = recorded.customerId === current.customerId;
  if (sameApi && sameCustomer) return { ok: true, record: null, reason: 'the database belongs to this Fastly account' };
  const what = [sameApi ? null : `Fastly API ${recorded.apiUrl}`, sameCustomer ? null : `account ${recorded.customerId}`].filter(Boolean).join(', ');
  const given = [sameApi ? null : `API ${current.apiUrl}`, sameCustomer ? null : `account ${current.customerId}`].filter(Boolean).join(', ');
  const reason = `the database was created for ${what}, but the configuration gives ${given}`;
  if (rebind) return { ok: true, record: current, reason: `${reason}; recorded the new one as asked` };
  return { ok: false, recorded, reason };
}
