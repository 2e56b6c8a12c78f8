import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { openStore } from '../src/store';
import { runCli } from './cli-harness';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';

// Issue 9, observation 10: with the SQLite file locked by another process, writes answered 500
// "internal" while /healthz stayed 200; a damaged database at start did not name its file.

const TOKEN = 'store-unavailable-token-0123456789';

let harness: LifecycleHarness;
beforeEach(async () => {
  harness = await startLifecycleHarness({ manualClock: false });
});
afterEach(() => harness.close());

function api() {
  const app = createApiApp({
    controlPlane: harness.opened.controlPlane,
    apiTokens: [TOKEN],
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    ready: () => harness.opened.store.checkWritable(),
  });
  return (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

describe('a database locked by another process', () => {
  it('answers writes with 503 and Retry-After, fails readiness saying why, and recovers once the lock is gone', { timeout: 60_000 }, async () => {
    const request = api();
    expect(await (await request('GET', '/healthz')).json()).toEqual({ status: 'ok' });

    const other = new SqliteDatabase(harness.dbPath);
    try {
      other.exec('BEGIN IMMEDIATE');

      const health = await request('GET', '/healthz');
      expect(health.status).toBe(503);
      expect(Number(health.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await health.json()).toEqual({
        status: 'unavailable',
        problem: expect.stringMatching(/^the database is locked by another process \(SQLITE_BUSY/),
      });

      const write = await request('POST', '/v1/services', serviceInput('toot'));
      expect(write.status).toBe(503);
      expect(write.headers.get('content-type')).toBe('application/problem+json');
      expect(Number(write.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await write.json()).toMatchObject({
        status: 503,
        code: 'store_unavailable',
        detail: expect.stringMatching(/^the database is locked by another process/),
      });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }

    expect((await request('GET', '/healthz')).status).toBe(200);
    expect((await request('POST', '/v1/services', serviceInput('toot'))).status).toBe(201);
  });
});

describe('a damaged database', () => {
  it('fails to open naming its path, and serve stops at start saying so', { timeout: 60_000 }, async () => {
    const path = join(harness.dir, 'damaged.db');
    writeFileSync(path, 'this is not a SQLite database '.repeat(200));
    await expect(openStore(path)).rejects.toMatchObject({
      code: 'store_unavailable',
      detail: expect.stringContaining(`the database ${path} is damaged or not a SQLite database`),
    });

    const serve = await runCli(['serve', '--port', '0'], {
      FASTLY_API_TOKEN: harness.sim.defaultAccount.token,
      FASTLY_API_URL: harness.sim.url,
      EDGEPLANE_API_TOKEN: TOKEN,
      EDGEPLANE_DB: path,
    });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain(`edgeplane: the database ${path} is damaged or not a SQLite database`);
  });
});
