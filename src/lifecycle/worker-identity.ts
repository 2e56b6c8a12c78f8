import type { Repository } from '../store';

// A worker's identity (its lease owner) is `host/n`, recorded in the database with the process
// holding it. A process restarted on the same host takes the identity of a predecessor that is
// gone, so it resumes at once instead of waiting for the dead process's leases to expire. Whether
// a process is gone can be known only on its own host: a peer on another host keeps its leases
// until they expire.

export interface IdentityHost {
  host: string;
  pid: number;
  /** Whether process `pid` of this host is running. */
  isAlive(pid: number): boolean;
  now: Date;
}

/** True unless the process is known to be gone (a process of another user is alive too). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Claims the first identity of `host` that no running process holds. Every identity of this host
 * whose process is gone has its leases dropped first: nobody can still be working under them.
 */
export async function claimWorkerIdentity(store: Repository, { host, pid, isAlive, now }: IdentityHost): Promise<string> {
  for (;;) {
    const recorded = new Map((await store.listWorkerIds(host)).map((row) => [row.id, row.pid]));
    // Our own pid in the table is an earlier process (a container restarted with the same pid).
    const gone = (holder: number) => holder === pid || !isAlive(holder);
    for (const [id, holder] of recorded) if (gone(holder)) await store.releaseLeasesOf(id);
    let slot = 1;
    while (recorded.has(`${host}/${slot}`) && !gone(recorded.get(`${host}/${slot}`)!)) slot += 1;
    const id = `${host}/${slot}`;
    if (await store.claimWorkerId(id, host, pid, recorded.get(id) ?? null, now)) return id;
    // Another process starting now claimed it first: read again.
  }
}
