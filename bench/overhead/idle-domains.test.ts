import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_SERVICE, openBenchControlPlane, seedIdleDomains } from './idle-domains';

describe('seedIdleDomains', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgeplane-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores domains that finished their lifecycle, which the retry job leaves alone', async () => {
    const dbPath = join(dir, 'store.db');
    await seedIdleDomains(dbPath, 40);
    const opened = await openBenchControlPlane(dbPath);
    try {
      const page = await opened.controlPlane.listDomains(BENCH_SERVICE, { limit: 1000 });
      expect(page.items).toHaveLength(40);
      expect(page.items.every((record) => record.state === 'cached' && record.nextAttemptAt === null && record.caching)).toBe(true);
      const record = await opened.controlPlane.getDomain(BENCH_SERVICE, page.items[0]!.domain);
      expect(record.history.map((event) => event.to)).toEqual(['queued', 'attaching', 'active', 'securing', 'cached']);
      expect(await opened.worker.tick()).toBe(0);
    } finally {
      await opened.close();
    }
  });
});
