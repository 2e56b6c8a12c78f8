import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { type LongRunning, runCli, startServe } from './cli-harness';
import { makeEdgePackage } from './support/lifecycle-harness';
import { simControl } from './support/sim-control';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';

// At least once across a crash: `edgeplane serve` is SIGKILLed after a state change was saved
// (with its event in the outbox) and the webhook sent, before the delivery was recorded. The
// restarted serve sends the event again with the same id; the receiver, deduping by id, sees
// exactly one event per transition of the story.

const API_TOKEN = 'notify-crash-api-token-0123456789';
const SECRET = 'whsec_c2VjcmV0LWtleS1mb3ItdGhlLWNyYXNoLXRlc3Q=';

let sim: RunningSimulator;
let receiver: WebhookReceiver;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ releaseDelayMs: 300, tlsDelayMs: 300 });
  receiver = await startWebhookReceiver(SECRET);
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-notify-crash-'));
  env = {
    FASTLY_API_TOKEN: sim.defaultAccount.token,
    FASTLY_API_URL: sim.url,
    EDGEPLANE_API_TOKEN: API_TOKEN,
    EDGEPLANE_DB: join(dir, 'edgeplane.db'),
    EDGEPLANE_PACKAGE: await makeEdgePackage(dir),
    EDGEPLANE_PORT: '0',
    EDGEPLANE_RETRY_INITIAL: '200ms',
    EDGEPLANE_RETRY_MAX: '500ms',
    EDGEPLANE_NOTIFY_TIMEOUT: '500ms',
  };
});
afterAll(async () => {
  await receiver.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

it('delivers exactly one event per transition across a SIGKILL of serve between the state change and the recorded delivery', async () => {
  let serve: LongRunning & { url: string } = await startServe(['serve', '--poll-interval', '100ms'], env);
  let killed: Promise<number | null> | null = null;
  // The first event's request arrives: kill serve before it hears the answer.
  receiver.respond = (_request, res) => {
    if (killed) return 'record';
    killed = serve.stop('SIGKILL');
    void killed.then(() => res.destroy());
    return 'handled';
  };
  try {
    const cli = (args: string[]) => runCli(args, { EDGEPLANE_URL: serve.url, EDGEPLANE_API_TOKEN: API_TOKEN });
    expect((await cli(['services', 'create', 'toot', '--main-origin', 'lb.toot.example', '--static-origin', 'files.toot.example'])).code).toBe(0);
    const added = await cli(['notify', 'add', 'toot', '--webhook', receiver.url, '--secret', SECRET]);
    expect(added.code).toBe(0);
    expect(added.stdout + added.stderr).not.toContain(SECRET);
    await simControl(sim).holdByOtherAccount('toot.example');
    expect((await cli(['domains', 'attach', 'toot.example', '-s', 'toot', '--role', 'main'])).code).toBe(0);

    await expect.poll(() => killed !== null, { timeout: 30_000, interval: 50 }).toBe(true);
    await killed;
    expect(receiver.events).toHaveLength(0);

    serve = await startServe(['serve', '--poll-interval', '100ms'], env);
    await receiver.waitFor(1);
    expect(receiver.events[0]!.body.type).toBe('domain.waiting_for_release');
    await simControl(sim).control('DELETE', '/holds/toot.example');
    const waited = await runCli(['domains', 'wait', 'toot.example', '-s', 'toot', '--interval', '200ms', '--timeout', '60s'], {
      EDGEPLANE_URL: serve.url,
      EDGEPLANE_API_TOKEN: API_TOKEN,
    });
    expect(waited.code).toBe(0);
    await receiver.waitFor(4);

    expect(receiver.events.map((event) => event.body.type)).toEqual(['domain.waiting_for_release', 'domain.active', 'domain.securing', 'domain.cached']);
    expect(receiver.rejected).toBe(0);
    // The crashed delivery came again with its id; the others once.
    const waitingId = receiver.events[0]!.id;
    expect(Object.fromEntries(receiver.arrivals)).toEqual(Object.fromEntries(receiver.events.map((event) => [event.id, event.id === waitingId ? 2 : 1])));

    const listed = await runCli(['notify', 'list', 'toot'], { EDGEPLANE_URL: serve.url, EDGEPLANE_API_TOKEN: API_TOKEN });
    expect(listed.stdout).toMatch(/webhook\s+http:\/\/127\.0\.0\.1:\d+\/hooks\s+all\s+4\s+0\s+/);
    expect(listed.stdout).not.toContain(SECRET);
    expect(serve.output()).not.toContain(SECRET);
  } finally {
    await serve.stop('SIGTERM');
  }
}, 120_000);
