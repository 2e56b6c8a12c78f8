import { EdgeplaneError } from '../errors';

// SQLite's failures that are not a bug of ours: the file is locked by another process, cannot be
// written, or is damaged. They leave as one code, `store_unavailable` (503 with Retry-After), so
// callers retry and readiness reports the database, instead of a 500 "internal".

/** How long a caller should wait before trying again, in seconds. */
export const STORE_RETRY_AFTER_SECONDS = 5;

const REASONS: ReadonlyArray<{ codes: RegExp; reason: string }> = [
  { codes: /^SQLITE_(BUSY|LOCKED)/, reason: 'is locked by another process' },
  { codes: /^SQLITE_(READONLY|PERM|CANTOPEN|FULL|IOERR)/, reason: 'cannot be written' },
  { codes: /^SQLITE_(CORRUPT|NOTADB)/, reason: 'is damaged or not a SQLite database' },
];

function sqliteCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
}

/**
 * The EdgeplaneError for a database failure, or null for anything else. `what` names the
 * database in the detail (its path for the operator, "the database" for API callers).
 */
export function storeFailure(error: unknown, what = 'the database'): EdgeplaneError | null {
  const code = sqliteCode(error);
  const rule = code ? REASONS.find((candidate) => candidate.codes.test(code)) : undefined;
  if (!code || !rule) return null;
  return new EdgeplaneError('store_unavailable', `${what} ${rule.reason} (${code}: ${(error as Error).message})`, {
    cause: error,
    resetAt: new Date(Date.now() + STORE_RETRY_AFTER_SECONDS * 1000),
  });
}
