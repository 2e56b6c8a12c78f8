import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DB_PATH, DEFAULT_PACKAGE_PATH, DEFAULT_PORT, loadConfig } from './config';
import { isEdgeplaneError } from './errors';

const API_TOKEN = 'operator-token-0123456789';
const FASTLY_TOKEN = 'fastly-secret-abcdef';
const minimal = { FASTLY_API_TOKEN: FASTLY_TOKEN, EDGEPLANE_API_TOKEN: API_TOKEN };

function failure(env: Record<string, string | undefined>, api = true): string {
  try {
    loadConfig(env, { api });
  } catch (error) {
    if (isEdgeplaneError(error, 'invalid_input')) return error.detail;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('fills defaults around the required variables', () => {
    expect(loadConfig(minimal, { api: true })).toEqual({
      fastly: { token: FASTLY_TOKEN },
      apiTokens: [API_TOKEN],
      dbPath: DEFAULT_DB_PATH,
      packagePath: DEFAULT_PACKAGE_PATH,
      port: DEFAULT_PORT,
      retry: {},
      publicStatus: false,
      // Fastly's own API: release hints from Fastly's own edge.
      fastlyEdge: 'dualstack.nonssl.global.fastly.net',
    });
  });

  it("reads release hints from EDGEPLANE_FASTLY_EDGE, none when off or when the API is not Fastly's own", () => {
    expect(loadConfig({ ...minimal, EDGEPLANE_FASTLY_EDGE: '127.0.0.1:8901' }, { api: true }).fastlyEdge).toBe('127.0.0.1:8901');
    expect(loadConfig({ ...minimal, EDGEPLANE_FASTLY_EDGE: 'off' }, { api: true }).fastlyEdge).toBeUndefined();
    expect(loadConfig({ ...minimal, FASTLY_API_URL: 'http://127.0.0.1:9000' }, { api: true }).fastlyEdge).toBeUndefined();
    expect(() => loadConfig({ ...minimal, EDGEPLANE_FASTLY_EDGE: 'http://edge.example' }, { api: true })).toThrow(
      /EDGEPLANE_FASTLY_EDGE: must be host or host:port/,
    );
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        ...minimal,
        FASTLY_API_URL: 'http://127.0.0.1:9000',
        EDGEPLANE_API_TOKEN: `${API_TOKEN}, second-token-0123456789 ,`,
        EDGEPLANE_DB: '/tmp/x.db',
        EDGEPLANE_PACKAGE: '/srv/edge/edgeplane.tar.gz',
        EDGEPLANE_PORT: '9100',
        EDGEPLANE_RETRY_INITIAL: '2s',
        EDGEPLANE_RETRY_MAX: '10m',
        EDGEPLANE_LEASE: '30s',
        EDGEPLANE_WRITE_LIMIT: '5000',
        EDGEPLANE_NOTIFY_TIMEOUT: '3s',
        EDGEPLANE_PUBLIC_STATUS: 'on',
      },
      { api: true },
    );
    expect(config).toEqual({
      fastly: { token: FASTLY_TOKEN, baseUrl: 'http://127.0.0.1:9000' },
      apiTokens: [API_TOKEN, 'second-token-0123456789'],
      dbPath: '/tmp/x.db',
      packagePath: '/srv/edge/edgeplane.tar.gz',
      port: 9100,
      retry: { initialMs: 2000, maxMs: 600_000 },
      leaseMs: 30_000,
      writeLimitPerHour: 5000,
      notifyTimeoutMs: 3000,
      publicStatus: true,
    });
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ ...minimal, FASTLY_API_URL: '', EDGEPLANE_PORT: '', EDGEPLANE_PACKAGE: '' }, { api: true });
    expect(config.port).toBe(DEFAULT_PORT);
    expect(config.packagePath).toBe(DEFAULT_PACKAGE_PATH);
  });

  it('does not need an API token for a worker-only process', () => {
    expect(loadConfig({ FASTLY_API_TOKEN: FASTLY_TOKEN }, { api: false }).apiTokens).toEqual([]);
  });

  it.each([
    [{ EDGEPLANE_API_TOKEN: API_TOKEN }, /FASTLY_API_TOKEN: is required/],
    [{ FASTLY_API_TOKEN: FASTLY_TOKEN }, /EDGEPLANE_API_TOKEN: is required/],
    [{ ...minimal, EDGEPLANE_API_TOKEN: 'short' }, /EDGEPLANE_API_TOKEN: every token must have at least 16/],
    [{ ...minimal, EDGEPLANE_API_TOKEN: ' , ' }, /EDGEPLANE_API_TOKEN: no token given/],
    [{ ...minimal, EDGEPLANE_PORT: 'eighty' }, /EDGEPLANE_PORT: must be a port number \(got "eighty"\)/],
    [{ ...minimal, EDGEPLANE_PORT: '70000' }, /EDGEPLANE_PORT: must be a port number/],
    [{ ...minimal, FASTLY_API_URL: 'ftp://x' }, /FASTLY_API_URL: must be an http\(s\) URL/],
    [{ ...minimal, EDGEPLANE_RETRY_INITIAL: 'soon' }, /EDGEPLANE_RETRY_INITIAL: not a duration/],
    [{ ...minimal, EDGEPLANE_RETRY_MAX: '-5s' }, /EDGEPLANE_RETRY_MAX: not a duration/],
    [{ ...minimal, EDGEPLANE_RETRY_INITIAL: '1h', EDGEPLANE_RETRY_MAX: '1m' }, /EDGEPLANE_RETRY_INITIAL: must not be longer/],
  ])('names the variable: %j', (env, message) => {
    expect(failure(env)).toMatch(message);
  });

  it('lists every problem at once', () => {
    const detail = failure({ EDGEPLANE_PORT: 'x' });
    expect(detail).toMatch(/EDGEPLANE_PORT/);
    expect(detail).toMatch(/FASTLY_API_TOKEN/);
  });

  it('never echoes a secret', () => {
    const detail = failure({ FASTLY_API_TOKEN: FASTLY_TOKEN, EDGEPLANE_API_TOKEN: 'tiny-secret' });
    expect(detail).toMatch(/EDGEPLANE_API_TOKEN/);
    expect(detail).not.toContain('tiny-secret');
  });

  it('reads a secret from the file <NAME>_FILE names when the variable is unset, and says which file it cannot read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeplane-config-'));
    try {
      writeFileSync(join(dir, 'fastly'), `${FASTLY_TOKEN}\n`);
      writeFileSync(join(dir, 'api'), API_TOKEN);
      const config = loadConfig({ FASTLY_API_TOKEN_FILE: join(dir, 'fastly'), EDGEPLANE_API_TOKEN_FILE: join(dir, 'api') }, { api: true });
      expect(config.fastly.token).toBe(FASTLY_TOKEN);
      expect(config.apiTokens).toEqual([API_TOKEN]);
      expect(failure({ ...minimal, FASTLY_API_TOKEN: '', FASTLY_API_TOKEN_FILE: join(dir, 'missing') })).toContain(
        `FASTLY_API_TOKEN_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
