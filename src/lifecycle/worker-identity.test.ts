import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store';
import type { KyselyRepository } from '../store/kysely-repository';
import { claimWorkerIdentity } from './worker-identity';

const now = new Date('2026-03-01T10:00:00Z');
const lease = async (store: KyselyRepository, key: string, owner: string) => (await store.acquireLease(key, owner, now, 120_000)) !== null;
const heldBy = async (store: KyselyRepository, key: string, owner: string) => !(await store.acquireLease(key, `${owner}-probe`, now, 1));

describe('claimWorkerIdentity', () => {
  let store: KyselyRepository;
  beforeEach(async () => {
    store = await openStore(':memory:');
  });
  afterEach(() => store.close());

  const claim = (pid: number, alive: number[], host = 'vm') =>
    claimWorkerIdentity(store, { host, pid, isAlive: (candidate) => alive.includes(candidate), now });

  it('gives each running process of a host its own identity', async () => {
    expect(await claim(100, [])).toBe('vm/1');
    expect(await claim(200, [100])).toBe('vm/2');
    expect(await claim(300, [100, 200], 'other')).toBe('other/1');
  });

  it('gives a restarted process the identity of its dead predecessor, whose leases it drops at once', async () => {
    expect(await claim(100, [])).toBe('vm/1');
    expect(await lease(store, 'service:toot', 'vm/1')).toBe(true);
    expect(await claim(101, [])).toBe('vm/1');
    expect(await lease(store, 'service:toot', 'api-caller')).toBe(true);
  });

  it('keeps the leases of a running process of this host and of any process of another host', async () => {
    expect(await claim(100, [])).toBe('vm/1');
    expect(await lease(store, 'service:toot', 'vm/1')).toBe(true);
    expect(await lease(store, 'service:beta', 'peer/1')).toBe(true);
    expect(await claim(200, [100])).toBe('vm/2');
    expect(await heldBy(store, 'service:toot', 'vm/1')).toBe(true);
    expect(await heldBy(store, 'service:beta', 'peer/1')).toBe(true);
  });

  it('takes an identity recorded with its own pid (an earlier process, as after a container restart)', async () => {
    expect(await claim(1, [])).toBe('vm/1');
    expect(await claim(1, [1])).toBe('vm/1');
  });
});
