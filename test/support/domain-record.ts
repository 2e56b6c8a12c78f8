import type { DomainRecord } from '../../src/model';

// A queued domain record for tests of the store and the notifications; each test overrides what it checks.

export const t0 = '2026-01-01T00:00:00.000Z';

export function record(overrides: Partial<DomainRecord> = {}): DomainRecord {
  return {
    service: 'toot',
    domain: 'toot.example',
    role: 'main',
    state: 'queued',
    attempts: 0,
    lastAttemptAt: null,
    nextAttemptAt: t0,
    lastError: null,
    conditions: [],
    history: [{ at: t0, from: null, to: 'queued', event: 'attach_requested', message: 'accepted' }],
    activeVersion: null,
    tls: null,
    caching: false,
    cachingOverride: null,
    move: false,
    waitingSince: null,
    backoffSince: null,
    createdAt: t0,
    updatedAt: t0,
    ...overrides,
  };
}
