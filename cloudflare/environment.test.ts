import { describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_MS, workerConfig } from './environment';

// The Worker reads the variables of `serve` with the same rules, plus EDGEPLANE_LEASE.

const required = { FASTLY_API_TOKEN: 'fastly-token', EDGEPLANE_API_TOKEN: 'worker-token-0123456789' };

describe("the Worker's configuration", () => {
  it('takes the defaults of serve, and the lease of two minutes', () => {
    expect(workerConfig(required)).toMatchObject({ apiTokens: ['worker-token-0123456789'], publicStatus: false, leaseMs: DEFAULT_LEASE_MS });
  });

  it('serves the public status page when EDGEPLANE_PUBLIC_STATUS is on, and takes the lease and retry durations', () => {
    const config = workerConfig({
      ...required,
      EDGEPLANE_PUBLIC_STATUS: 'on',
      EDGEPLANE_LEASE: '30s',
      EDGEPLANE_RETRY_INITIAL: '10s',
      EDGEPLANE_RETRY_MAX: '1m',
    });
    expect(config).toMatchObject({ publicStatus: true, leaseMs: 30_000, retry: { initialMs: 10_000, maxMs: 60_000 } });
  });

  it('names the variable that is wrong', () => {
    expect(() => workerConfig({ ...required, EDGEPLANE_PUBLIC_STATUS: 'yes' })).toThrow(/EDGEPLANE_PUBLIC_STATUS: must be on or off/);
    expect(() => workerConfig({ ...required, EDGEPLANE_LEASE: '10ms' })).toThrow(/EDGEPLANE_LEASE: must be at least 1s/);
  });
});
