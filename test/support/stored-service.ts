import type { StoredService } from '../../src/store';

// A provisioned service as the store keeps it, for tests that attach domains without Fastly:
// attaching only queues a record.

export function storedService(name: string, at = '2026-01-05T12:00:00.000Z'): StoredService {
  return {
    name,
    fastlyServiceId: `svc-${name}`,
    activeVersion: 1,
    configStoreId: 'store-1',
    configStoreName: 'edgeplane',
    origins: { main: { address: `lb.${name}.example`, port: 443, useTls: true }, static: { address: `files.${name}.example`, port: 443, useTls: true } },
    status: 'ready',
    lastError: null,
    packagePath: null,
    createdAt: at,
    updatedAt: at,
  };
}
