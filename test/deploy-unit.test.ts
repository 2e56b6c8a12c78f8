import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { startServe } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';

// deploy/edgeplane.service, the systemd unit the README installs: its command and environment,
// with the tokens as systemd credentials, start a control plane that answers with those tokens.

const UNIT = readFileSync(new URL('../deploy/edgeplane.service', import.meta.url), 'utf8');

/** The values of one key of the [Service] section, in order. */
function directives(key: string): string[] {
  return UNIT.split('\n')
    .filter((line) => line.startsWith(`${key}=`))
    .map((line) => line.slice(key.length + 1));
}

let sim: RunningSimulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-unit-'));
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the systemd unit', () => {
  it('runs serve from the checkout with the tokens from its credentials', { timeout: 60_000 }, async () => {
    const [node, cli, ...args] = directives('ExecStart')[0]!.split(' ');
    expect([node, cli]).toEqual(['/usr/bin/node', 'cli/edgeplane.js']);
    expect(args).toEqual(['serve', '--host', '127.0.0.1']);

    // systemd copies each LoadCredential= file into the credentials directory, %d.
    const credentials = mkdtempSync(join(dir, 'credentials-'));
    const apiToken = 'unit-test-api-token-0123456789';
    const tokenFor: Record<string, string> = { 'fastly-api-token': sim.defaultAccount.token, 'edgeplane-api-token': apiToken };
    for (const credential of directives('LoadCredential')) {
      const name = credential.split(':')[0]!;
      expect(Object.keys(tokenFor)).toContain(name);
      writeFileSync(join(credentials, name), `${tokenFor[name]}\n`);
    }
    const env = Object.fromEntries(
      directives('Environment').map((assignment) => {
        const [key, ...value] = assignment.split('=');
        return [key!, value.join('=').replace('%d', credentials)];
      }),
    );
    expect(Object.keys(env).sort()).toEqual(['EDGEPLANE_API_TOKEN_FILE', 'EDGEPLANE_DB', 'EDGEPLANE_PACKAGE', 'EDGEPLANE_PORT', 'FASTLY_API_TOKEN_FILE']);
    expect(env.EDGEPLANE_DB!.startsWith(`/var/lib/${directives('StateDirectory')[0]}/`)).toBe(true);

    // Here: the simulator for Fastly, and a temporary database, package and port.
    const serve = await startServe(args, {
      ...env,
      FASTLY_API_URL: sim.url,
      EDGEPLANE_DB: join(dir, 'edgeplane.db'),
      EDGEPLANE_PACKAGE: await makeEdgePackage(dir),
      EDGEPLANE_PORT: '0',
    });
    try {
      expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const listed = await fetch(`${serve.url}/v1/services`, { headers: { authorization: `Bearer ${apiToken}` } });
      expect(listed.status).toBe(200);
      expect(await serve.stop('SIGTERM')).toBe(0);
    } finally {
      await serve.stop('SIGKILL');
    }
  });
});
