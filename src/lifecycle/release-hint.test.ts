import { describe, expect, it } from 'vitest';
import { decideOnHint, SERVED_PROBE_MS } from './release-hint';

describe('decideOnHint', () => {
  it('writes at the fast rate once the edge says unknown (or does not answer), and hourly while it serves the host', () => {
    const now = 10 * SERVED_PROBE_MS;
    expect(decideOnHint('unknown', now - 1_000, now).probe).toBe(true);
    expect(decideOnHint('no_answer', now - 1_000, now).probe).toBe(true);
    expect(decideOnHint('served', now - SERVED_PROBE_MS + 1, now)).toMatchObject({ probe: false, reason: expect.stringContaining('still serves') });
    expect(decideOnHint('served', now - SERVED_PROBE_MS, now).probe).toBe(true);
    expect(decideOnHint('served', null, now).probe).toBe(true);
  });
});
