import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { startServe } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';

// Issue 9, observation 9: after `kill -9` of serve mid-attach, the restarted process had a new
// worker id, so nothing progressed until the dead lease expired (2 minutes), and an operator's
// retry meanwhile answered 409.

const API_TOKEN = 'serve-restart-api-token-0123456789';

let dir: string;
let fastly: RunningSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-restart-'));
  fastly = await startSimulator({ tlsDelayMs: 200 });
  env = {
    FASTLY_API_TOKEN: fastly.defaultAccount.token,
    FASTLY_API_URL: fastly.url,
    EDGEPLANE_API_TOKEN: API_TOKEN,
    EDGEPLANE_PACKAGE: await makeEdgePackage(dir),
    EDGEPLANE_DB: join(dir, 'edgeplane.db'),
    EDGEPLANE_PORT: '0',
    // The certificate's next look comes within a second, not the default 30–60 s, which is as long
    // as the test waits for cached.
    EDGEPLANE_RETRY_INITIAL: '1s',
  };
});
afterAll(async () => {
  await fastly.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (url: string, method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const faults = (settings: object) =>
  fetch(`${fastly.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
const workerIdOf = (line: string) => (JSON.parse(line) as { workerId: string }).workerId;

/** Polls the database until `owner` holds the service's lease; fails with the owner last seen. */
async function untilLeaseOwner(service: string, owner: string): Promise<void> {
  const db = new SqliteDatabase(env.EDGEPLANE_DB!, { readonly: true });
  try {
    await vi.waitFor(
      () => {
        const row = db.prepare('select owner from leases where key = ?').get(`service:${service}`) as { owner: string } | undefined;
        expect(row?.owner ?? null, `owner of the lease of ${service}`).toBe(owner);
      },
      { timeout: 30_000, interval: 50 },
    );
  } finally {
    db.close();
  }
}

describe('serve killed with SIGKILL mid-attach', () => {
  it('restarts under the same worker identity and resumes at once: an operator retry is not refused, the domain gets cached', {
    timeout: 120_000,
  }, async () => {
    const first = await startServe(['serve', '--poll-interval', '100ms'], env);
    let firstId: string;
    try {
      firstId = workerIdOf(await first.waitForLine((line) => line.includes('"msg":"listening"')));
      expect(
        (
          await call(first.url, 'POST', '/v1/services', {
            name: 'toot',
            origins: { main: { address: 'lb.toot.example' }, static: { address: 'files.toot.example' } },
          })
        ).status,
      ).toBe(201);
      // Every Fastly call now takes long, so the worker is caught holding the lease mid-step.
      await faults({ latencyMs: 5_000 });
      expect((await call(first.url, 'POST', '/v1/services/toot/domains', { domain: 'toot.example', role: 'main' })).status).toBe(202);
      await untilLeaseOwner('toot', firstId);
    } finally {
      await first.stop('SIGKILL');
    }
    await faults({});

    const second = await startServe(['serve', '--poll-interval', '100ms'], env);
    try {
      expect(workerIdOf(await second.waitForLine((line) => line.includes('"msg":"listening"')))).toBe(firstId);
      const retried = await call(second.url, 'POST', '/v1/services/toot/domains/toot.example/retry');
      expect(retried.status).toBe(202);
      // Polls while the domain is on its way; every state seen is one of the attach path's, the last cached.
      const states: string[] = [];
      await vi.waitFor(
        async () => {
          states.push(((await (await call(second.url, 'GET', '/v1/services/toot/domains/toot.example')).json()) as { state: string }).state);
          expect(['queued', 'attaching', 'securing'], `states so far: ${states.join(' ')}`).not.toContain(states.at(-1));
        },
        { timeout: 60_000, interval: 200 },
      );
      expect(['queued', 'attaching', 'securing', 'cached']).toEqual(expect.arrayContaining(states));
      expect(states.at(-1)).toBe('cached');
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
