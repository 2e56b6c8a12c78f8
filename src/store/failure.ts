import { EdgeplaneError } from '../errors';

// The database's failures that are not a bug of ours: SQLite's file is locked by another process,
// cannot be written or is damaged; PostgreSQL cannot be reached, is shutting down, refuses our
// credentials or takes no writes. They leave as one code, `store_unavailable` (503 with
// Retry-After), so callers retry and readiness reports the database, instead of a 500 "internal".

/** How long a caller should wait before trying again, in seconds. */
export const STORE_RETRY_AFTER_SECONDS = 5;

interface Rule {
  codes: RegExp;
  reason: string;
}

const SQLITE_REASONS: readonly Rule[] = [
  { codes: /^SQLITE_(BUSY|LOCKED)/, reason: 'is locked by another process' },
  { codes: /^SQLITE_(READONLY|PERM|CANTOPEN|FULL|IOERR)/, reason: 'cannot be written' },
  { codes: /^SQLITE_(CORRUPT|NOTADB)/, reason: 'is damaged or not a SQLite database' },
];

// PostgreSQL's SQLSTATE classes and the socket errors of its client (`pg`).
const POSTGRES_REASONS: readonly Rule[] = [
  { codes: /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|ENOTFOUND|EAI_AGAIN|08...|57P0[1-3])$/, reason: 'cannot be reached' },
  { codes: /^(53...|40001|40P01|55P03)$/, reason: 'is busy' },
  { codes: /^(28...|3D000|42501)$/, reason: 'refuses our connection or credentials' },
  { codes: /^25006$/, reason: 'takes no writes (a read-only server)' },
];

/** Messages of `pg` for a connection lost or never made, which carry no code. */
const LOST_CONNECTION = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed/i;

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

function reasonOf(error: unknown): { code: string; reason: string } | null {
  const code = codeOf(error);
  if (code?.startsWith('SQLITE_')) {
    const rule = SQLITE_REASONS.find((candidate) => candidate.codes.test(code));
    return rule ? { code, reason: rule.reason } : null;
  }
  if (code) {
    const rule = POSTGRES_REASONS.find((candidate) => candidate.codes.test(code));
    if (rule) return { code, reason: rule.reason };
  }
  if (error instanceof Error && LOST_CONNECTION.test(error.message)) return { code: 'connection lost', reason: 'cannot be reached' };
  return null;
}

/** Node gives a refused connection to every address of a name as an AggregateError without a message of its own. */
function messageOf(error: unknown): string {
  const { message, errors } = error as { message?: string; errors?: unknown[] };
  return message || (errors ?? []).map((inner) => (inner as Error).message).join('; ');
}

/**
 * The EdgeplaneError for a database failure, or null for anything else. `what` names the
 * database in the detail (its path or address for the operator, "the database" for API callers).
 */
export function storeFailure(error: unknown, what = 'the database'): EdgeplaneError | null {
  const found = reasonOf(error);
  if (!found) return null;
  return new EdgeplaneError('store_unavailable', `${what} ${found.reason} (${found.code}: ${messageOf(error)})`, {
    cause: error,
    resetAt: new Date(Date.now() + STORE_RETRY_AFTER_SECONDS * 1000),
  });
}
