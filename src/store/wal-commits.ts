import { closeSync, openSync, readSync } from 'node:fs';

// Whether anything was committed to a SQLite database in WAL mode, by any connection of any
// process, read from the WAL-index header at the start of its `-shm` file (docs/sqlite-wal.md).
// SQLite rewrites that header at the end of every commit (its change counter, last frame and
// checksums), while holding the write lock, in shared memory mapped from that file: so one read
// of its bytes, no lock and no transaction, tells "nothing committed since the last look" from
// "something may have been". The API asks this before every list page, instead of a SQLite read
// transaction, which takes and gives back a lock on that file (docs/sqlite-wal.md: what it saved).

/** Both copies of the header (48 bytes each): SQLite writes the second, then the first. */
const HEADER_BYTES = 96;

export interface CommitMark {
  /** The header's bytes now, or null when they cannot be read (then ask the database). */
  read(): Buffer | null;
  close(): void;
}

/** Watches the database at `dbPath` (in WAL mode, opened by this process, so its `-shm` exists). */
export function walCommitMark(dbPath: string): CommitMark {
  let fd: number | undefined;
  try {
    fd = openSync(`${dbPath}-shm`, 'r');
  } catch {
    fd = undefined;
  }
  return {
    read() {
      if (fd === undefined) return null;
      const header = Buffer.alloc(HEADER_BYTES);
      return readSync(fd, header, 0, HEADER_BYTES, 0) === HEADER_BYTES ? header : null;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
