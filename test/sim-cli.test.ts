import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createSimulatorApp } from '../src/sim/server';

describe('edgeplane sim', () => {
  it('prints its URL and the default token, serves the API with it, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, ['cli/edgeplane.js', 'sim', '--port', '0', '--seed', '3', '--release-delay', '2s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    const started = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Ctrl-C')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${output}`)));
    });
    await started;
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const token = /API token: (\S+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    expect(output).toContain(`FASTLY_API_TOKEN=${token}`);
    const response = await fetch(`${url}/service`, { headers: { 'fastly-key': token! } });
    expect(response.status).toBe(200);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('rejects a malformed duration with a clear message and exit code 2', async () => {
    const child = spawn(process.execPath, ['cli/edgeplane.js', 'sim', '--tls-delay', 'soon'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('not a duration: "soon"');
  });
});

describe('createSimulatorApp', () => {
  it('serves the same API in-process through app.request', async () => {
    const app = createSimulatorApp({ seed: 5 });
    const account = (await (
      await app.request('/__sim/accounts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"t"}' })
    ).json()) as { token: string };
    const created = await app.request('/service', {
      method: 'POST',
      headers: { 'fastly-key': account.token, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=in-process&type=wasm',
    });
    expect(created.status).toBe(200);
    expect(created.headers.get('fastly-ratelimit-remaining')).toBe('999');
    expect(((await created.json()) as { name: string }).name).toBe('in-process');
  });
});
