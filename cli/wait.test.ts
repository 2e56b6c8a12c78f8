import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiApp } from '../api/app';
import { createMetrics } from '../api/metrics';
import { type ApiServer, startApiServer } from '../api/server';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from '../test/support/lifecycle-harness';
import { ApiClient } from './client';
import { ExitCode } from './exit-codes';
import { waitForDomain } from './wait';

// `domains wait` against the real control plane (retry worker running) and the simulator, with a
// stream that says it is a terminal.

const TOKEN = 'wait-test-token-0123456789';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
  /** Waits until the output matches; fails with the output so far. */
  async until(pattern: RegExp): Promise<void> {
    await vi.waitFor(() => expect(this.text).toMatch(pattern), { timeout: 15_000, interval: 20 });
  }
}

let harness: LifecycleHarness;
let server: ApiServer;

async function stack(tlsDelayMs = 100): Promise<ApiClient> {
  harness = await startLifecycleHarness({
    manualClock: false,
    sim: { releaseDelayMs: 200, tlsDelayMs },
    config: { retry: { initialMs: 300, maxMs: 600 }, pollIntervalMs: 50 },
  });
  harness.opened.worker.start();
  await harness.opened.controlPlane.createService(serviceInput('toot'));
  await harness.holdByOtherAccount('toot.example');
  await harness.opened.controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
  return serve();
}

async function serve(port = 0): Promise<ApiClient> {
  const app = createApiApp({ controlPlane: harness.opened.controlPlane, apiTokens: [TOKEN], logger: pino({ level: 'silent' }), metrics: createMetrics() });
  server = await startApiServer({ app, port });
  return new ApiClient({ url: server.url, token: TOKEN });
}

afterEach(async () => {
  await server?.close();
  await harness?.close();
});

describe('waitForDomain', () => {
  it('redraws one line with the state, the refusal and a countdown on a terminal, and ends at cached', async () => {
    const client = await stack();
    const out = new Capture(true);
    const err = new Capture(false);
    const result = waitForDomain(client, 'toot', 'toot.example', { intervalMs: 100, timeoutMs: null, json: false, out, err });

    await out.until(/waiting_for_release/);
    await harness.control('DELETE', '/holds/toot.example');
    expect(await result).toBe(ExitCode.ok);

    const frames = out.text.split('\r\x1b[K').filter(Boolean);
    expect(frames.length).toBeGreaterThan(2);
    expect(
      frames.some((frame) =>
        /^toot\.example {2}waiting_for_release {2}attempts \d+ {2}next attempt (in \d+s|due now) {2}last error domain_held_by_other_account: Domain 'toot\.example' is owned by another customer$/.test(
          frame,
        ),
      ),
    ).toBe(true);
    expect(out.text).toMatch(/toot\.example {2}cached {2}attempts \d+\ntoot\.example is cached: Fastly serves it with caching on\.\n$/);
    expect(err.text).toBe('');
  });

  it('keeps waiting while the control plane is unreachable, and picks up when it is back', async () => {
    const client = await stack();
    const out = new Capture(false);
    const err = new Capture(false);
    const result = waitForDomain(client, 'toot', 'toot.example', { intervalMs: 100, timeoutMs: null, json: false, out, err });

    await out.until(/waiting_for_release/);
    const port = Number(new URL(server.url).port);
    await server.close();
    await err.until(/still trying/);
    expect(err.text).toMatch(/cannot reach the control plane at http:\/\/127\.0\.0\.1:\d+ .*; still trying\n$/);

    await harness.control('DELETE', '/holds/toot.example');
    await serve(port);
    expect(await result).toBe(ExitCode.ok);
    expect(out.text).not.toMatch(/\r/);
    expect(out.text).toMatch(/toot\.example is cached/);
  });

  it('shows the DNS records while the certificate waits for them: an apex gets A records and a note, no CNAME (issue 9, observation 6)', async () => {
    const client = await stack(1_000);
    const out = new Capture(false);
    const result = waitForDomain(client, 'toot', 'toot.example', { intervalMs: 100, timeoutMs: null, json: false, out, err: new Capture(false) });
    await out.until(/waiting_for_release/);
    await harness.control('DELETE', '/holds/toot.example');
    expect(await result).toBe(ExitCode.ok);

    const block = /toot\.example: the certificate waits for these DNS records:\n((?: {4}.*\n)+)/.exec(out.text)?.[1] ?? '';
    expect(block).toMatch(/^ {4}create CNAME _acme-challenge\.toot\.example -> \S+\.fastly-validations\.com {2}\(acme_challenge\)$/m);
    expect(block).toMatch(/^ {4}create A toot\.example -> 151\.101\.1\.195 {2}\(traffic\)$/m);
    expect(block).not.toMatch(/create CNAME toot\.example /);
    expect(block).toMatch(/^ {4}note: toot\.example is a zone apex, where DNS allows no CNAME.*ALIAS or ANAME.*\.$/m);
    // Shown once, before the domain is cached.
    expect(out.text.match(/the certificate waits for these DNS records/g)).toHaveLength(1);
    expect(out.text.indexOf('the certificate waits')).toBeLessThan(out.text.indexOf('is cached'));
  });

  it('shows a subdomain exactly one CNAME for traffic, and no A records', async () => {
    const client = await stack(1_000);
    // Not under toot.example: another account holds that name, and with it its subdomains.
    await harness.opened.controlPlane.attachDomain('toot', { domain: 'files.example.net', role: 'static' });
    const out = new Capture(false);
    expect(await waitForDomain(client, 'toot', 'files.example.net', { intervalMs: 100, timeoutMs: null, json: false, out, err: new Capture(false) })).toBe(
      ExitCode.ok,
    );
    const block = /files\.example\.net: the certificate waits for these DNS records:\n((?: {4}.*\n)+)/.exec(out.text)?.[1] ?? '';
    expect(block.match(/ files\.example\.net -> /g)).toHaveLength(1);
    expect(block).toMatch(/^ {4}create CNAME files\.example\.net -> \S+\.sni\.global\.fastly\.net {2}\(traffic\)$/m);
    expect(block).not.toMatch(/note:/);
  });

  it('gives up at the timeout with exit 6', async () => {
    const client = await stack();
    const out = new Capture(false);
    const result = await waitForDomain(client, 'toot', 'toot.example', { intervalMs: 100, timeoutMs: 300, json: false, out, err: new Capture(false) });
    expect(result).toBe(ExitCode.timeout);
    expect(out.text).toMatch(/gave up waiting: toot\.example is still (queued|attaching|waiting_for_release)\n$/);
  });
});
