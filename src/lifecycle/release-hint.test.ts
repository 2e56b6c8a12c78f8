import { describe, expect, it } from 'vitest';
import { decideOnHint, SERVED_PROBE_MS } from './release-hint';

describe('decideOnHint', () => {
  const now = 10 * SERVED_PROBE_MS;
  const times = (lastAttemptAtMs: number | null, retryRequestedAtMs: number | null = null) => ({ lastAttemptAtMs, retryRequestedAtMs, nowMs: now });

  it('writes at the fast rate once the edge says unknown (or does not answer), and hourly while it serves the host', () => {
    expect(decideOnHint('unknown', times(now - 1_000)).probe).toBe(true);
    expect(decideOnHint('no_answer', times(now - 1_000)).probe).toBe(true);
    expect(decideOnHint('served', times(now - SERVED_PROBE_MS + 1))).toMatchObject({ probe: false, reason: expect.stringContaining('still serves') });
    expect(decideOnHint('served', times(now - SERVED_PROBE_MS)).probe).toBe(true);
    expect(decideOnHint('served', times(null)).probe).toBe(true);
  });

  it('writes once, while the edge serves the host, when the operator asked for a retry since the last write', () => {
    expect(decideOnHint('served', times(now - 60_000, now - 1_000))).toMatchObject({ probe: true, reason: expect.stringContaining('operator') });
    expect(decideOnHint('served', times(now - 1_000, now - 60_000)).probe).toBe(false);
  });
});
