import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../src/sim/server';
import { runCli, spawnCli } from './cli-harness';

const cli = fileURLToPath(new URL('../cli/edgeplane.js', import.meta.url));

function run(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('edgeplane edge decide', () => {
  it('prints one decision per input line, an error line for a bad one, and fails at the end', async () => {
    const lines = [
      {
        request: { method: 'GET', url: 'https://toot.example/users/alice', headers: { accept: 'application/activity+json' } },
        response: { status: 200, headers: { 'cache-control': 'public, max-age=180' } },
      },
      { request: { method: 'GET', url: 'https://toot.example/about', headers: { cookie: '_session_id=x' } } },
      'not json',
      { request: { method: 'GET', url: 'https://files.toot.example/a.png', headers: {} }, response: { status: 404, headers: {} } },
      { request: { method: 'GET', url: 'https://elsewhere.example/', headers: {} } },
    ];
    const input = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');
    const { code, stdout, stderr } = await run(['edge', 'decide', '--main', 'toot.example', '--static', 'files.toot.example'], `${input}\n`);
    const out = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(out).toHaveLength(5);
    expect(out[0]).toMatchObject({ origin: 'main', action: 'cache', store: true, ttl: 180 });
    expect(out[1]).toMatchObject({ origin: 'main', action: 'pass', store: null, ttl: null });
    expect(out[2]).toEqual({ error: 'line 3: not JSON', line: 3 });
    expect(out[3]).toMatchObject({ origin: 'static', action: 'cache', store: true, ttl: 10 });
    expect(out[4]).toMatchObject({ origin: null, action: 'refuse' });
    for (const decision of [out[0], out[1], out[3], out[4]]) expect(Object.keys(decision!).sort()).toEqual(['action', 'origin', 'reason', 'store', 'ttl']);
    expect(code).toBe(1);
    expect(stderr).toContain('1 input line');
  });

  it('passes everything with --caching off', async () => {
    const { code, stdout } = await run(
      ['edge', 'decide', '--main', 'toot.example', '--caching', 'off'],
      `${JSON.stringify({ request: { url: '/packs/a.js' } })}\n`,
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ action: 'pass', reason: expect.stringMatching(/caching is off/) });
  });
  it('delivers every line to a reader through a pipe before it exits (200,000 lines)', { timeout: 120_000 }, async () => {
    const count = 200_000;
    const request = JSON.stringify({
      request: { method: 'GET', url: 'https://toot.example/users/alice', headers: {} },
      response: { status: 200, headers: { 'cache-control': 'max-age=60' } },
    });
    // The last line is unreadable, so the command reports it on stderr after queueing every
    // decision: the reader starts reading only then, when nearly all of the output still waits
    // in the writer. A command that exits before its output drains loses it.
    const input = `${`${request}\n`.repeat(count)}not json\n`;
    const child = spawn(process.execPath, [cli, 'edge', 'decide', '--main', 'toot.example'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.pause();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('could not be read')) child.stdout.resume();
    });
    let lines = 0;
    let last = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = last + chunk.toString();
      const parts = text.split('\n');
      last = parts.pop()!;
      lines += parts.length;
    });
    child.stdin.end(input);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(stderr).toContain('1 input line(s) could not be read');
    expect(last).toBe('');
    expect(lines).toBe(count + 1);
    expect(code).toBe(1);
  });
});

describe('edgeplane edge serve', () => {
  it('runs the edge in front of an origin with the site from flags', async () => {
    let served = 0;
    const origin = createServer((_req, res) => {
      served += 1;
      res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' });
      res.end(`#${served}`);
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    const child = spawn(
      process.execPath,
      [cli, 'edge', 'serve', '--port', '0', '--origin-main', originUrl, '--origin-static', originUrl, '--main', 'toot.example'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(stderr);
          if (match) resolve(match[1]!);
        });
        child.on('close', () => reject(new Error(`edge serve ended: ${stderr}`)));
      });
      const ask = async () => {
        const response = await request(`${url}/about`, { headers: { host: 'toot.example' } });
        return { cache: response.headers['x-cache'], body: await response.body.text() };
      };
      expect(await ask()).toEqual({ cache: 'MISS', body: '#1' });
      expect(await ask()).toEqual({ cache: 'HIT', body: '#1' });
      expect(served).toBe(1);
    } finally {
      child.kill('SIGTERM');
      origin.close();
    }
  });
});

describe('edgeplane edge: flags', () => {
  it('refuses a host flag that is not a host name, naming the flag', async () => {
    const { code, stderr } = await run(['edge', 'decide', '--main', 'https://toot.example'], '');
    expect(code).toBe(2);
    expect(stderr).toContain('edgeplane: --main takes a host name like toot.example, not "https://toot.example"');
  });

  it('takes the Fastly token from the environment or a file, never a flag, and stops at start when Fastly refuses it', { timeout: 60_000 }, async () => {
    const fastly = await startSimulator();
    try {
      const base = [
        'edge',
        'serve',
        '--port',
        '0',
        '--origin-main',
        'http://127.0.0.1:9',
        '--origin-static',
        'http://127.0.0.1:9',
        '--fastly-url',
        fastly.url,
        '--service',
        'toot',
      ];
      const flag = await runCli([...base, '--fastly-token', fastly.defaultAccount.token], {});
      expect(flag.code).toBe(2);
      expect(flag.stderr).toMatch(/unknown option '--fastly-token'/);

      const refused = await runCli(base, { FASTLY_API_TOKEN: 'wrong-token' });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`edgeplane: Fastly at ${fastly.url} refused the token (FASTLY_API_TOKEN)`);
      expect(refused.stderr).not.toContain('listening');

      const missingFile = await runCli([...base, '--fastly-token-file', '/nonexistent/token'], {});
      expect(missingFile.code).toBe(2);
      expect(missingFile.stderr).toContain('cannot read --fastly-token-file /nonexistent/token');

      const dir = mkdtempSync(join(tmpdir(), 'edgeplane-token-'));
      writeFileSync(join(dir, 'token'), `${fastly.defaultAccount.token}\n`);
      const fromFile = spawnCli([...base, '--fastly-token-file', join(dir, 'token')], {});
      try {
        await new Promise<void>((resolve, reject) => {
          fromFile.child.stderr!.on('data', (chunk: Buffer) => (chunk.toString().includes('local edge listening on') ? resolve() : undefined));
          fromFile.child.once('exit', (code) => reject(new Error(`edge serve exited ${code}: ${fromFile.output()}`)));
        });
      } finally {
        await fromFile.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await fastly.close();
    }
  });
});
