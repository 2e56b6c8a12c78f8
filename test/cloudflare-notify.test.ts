import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/sim/server';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';
import { buildWorkerBundle, type RunningWorker, startWorker, workerOptions } from './support/workerd-worker';

// Notifications from the Worker: a channel added through its API, and the events of a domain's
// attach sent from the outbox in D1 by its scheduled ticks — the deployable bundle in workerd,
// the simulator and a webhook receiver on 127.0.0.1.

const API_TOKEN = 'worker-notify-token-0123456789';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

let dir: string;
let sim: RunningSimulator;
let receiver: WebhookReceiver;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeplane-worker-notify-'));
  // TLS takes a moment, so that the domain waits in securing with its DNS records (domain.securing).
  sim = await startSimulator({ releaseDelayMs: 0, tlsDelayMs: 1_000 });
  receiver = await startWebhookReceiver(SECRET);
  await buildWorkerBundle(join(dir, 'dist'));
}, 300_000);

afterAll(async () => {
  worker?.kill();
  await worker?.exited;
  await receiver?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('notifications from the Worker', () => {
  it('sends each transition of an attach to a webhook from its scheduled ticks, signed, once each', { timeout: 300_000 }, async () => {
    const options = workerOptions(join(dir, 'dist'), {
      FASTLY_API_TOKEN: sim.defaultAccount.token,
      FASTLY_API_URL: sim.url,
      EDGEPLANE_API_TOKEN: API_TOKEN,
      EDGEPLANE_RETRY_INITIAL: '100ms',
      EDGEPLANE_RETRY_MAX: '200ms',
    });
    worker = await startWorker(options, join(dir, 'd1'));
    const created = await worker.api('POST', '/v1/services', API_TOKEN, {
      name: 'toot',
      origins: { main: { address: 'lb.toot.example' }, static: { address: 'files.toot.example' } },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const channel = await worker.api('POST', '/v1/services/toot/notifications', API_TOKEN, { kind: 'webhook', url: receiver.url, secret: SECRET });
    expect(channel.status, await channel.clone().text()).toBe(201);
    const attached = await worker.api('POST', '/v1/services/toot/domains', API_TOKEN, { domain: 'toot.example', role: 'main' });
    expect(attached.status, await attached.clone().text()).toBe(202);

    let state = '';
    await vi.waitFor(
      async () => {
        await worker!.scheduled();
        state = ((await (await worker!.api('GET', '/v1/services/toot/domains/toot.example', API_TOKEN)).json()) as { state: string }).state;
        if (state !== 'cached' || receiver.events.length < 3) {
          const channels = await (await worker!.api('GET', '/v1/services/toot/notifications', API_TOKEN)).text();
          throw new Error(`state ${state}, events received: ${receiver.events.map((event) => event.body.type).join(', ')}; channels: ${channels}`);
        }
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(receiver.events.map((event) => event.body.type)).toEqual(['domain.active', 'domain.securing', 'domain.cached']);
    expect(receiver.events[2]!.body.data).toMatchObject({ service: 'toot', domain: 'toot.example', state: 'cached' });
    expect([...receiver.arrivals.values()]).toEqual([1, 1, 1]);
    expect(receiver.rejected).toBe(0);
    const listed = (await (await worker.api('GET', '/v1/services/toot/notifications', API_TOKEN)).json()) as { channels: Array<{ delivery: unknown }> };
    expect(listed.channels[0]!.delivery).toMatchObject({ delivered: 3, pending: 0, lastFailure: null });
  });
});
