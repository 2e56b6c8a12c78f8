import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/clock';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';

// Webhooks from the outbox to a receiver on 127.0.0.1, through the seed's story (held by another
// account, released, secured, cached), on the simulator and a hand-moved clock.

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

let harness: LifecycleHarness;
let receiver: WebhookReceiver;

beforeEach(async () => {
  harness = await startLifecycleHarness();
  receiver = await startWebhookReceiver(SECRET);
});
afterEach(async () => {
  await receiver.close();
  await harness.close();
});

/** Two events of the service due together on each of its channels: needs attention ('first'), recovered, needs attention again ('second'). */
async function twoDueServiceEvents(): Promise<void> {
  const { store } = harness.opened;
  const service = (await store.getService('toot'))!;
  const at = (offset: number) => new Date(harness.clock.now() + offset).toISOString();
  await store.putService({ ...service, status: 'needs_attention', lastError: { code: 'unauthorized', detail: 'first' }, updatedAt: at(-2) });
  await store.putService({ ...service, status: 'ready', updatedAt: at(-1) });
  await store.putService({ ...service, status: 'needs_attention', lastError: { code: 'unauthorized', detail: 'second' }, updatedAt: at(0) });
}

describe('webhook notifications', () => {
  it('sends one signed event per transition of the story, in order, with the data the issue names', async () => {
    const { controlPlane, notifications, delivery, worker } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    const channel = await notifications.add('toot', { kind: 'webhook', url: receiver.url, secret: SECRET });
    expect(JSON.stringify(channel)).not.toContain(SECRET.slice(6));
    await harness.holdByOtherAccount('toot.example');
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await worker.tick();
    expect(await delivery.deliverDue()).toBe(1);
    const waiting = receiver.events[0]!;
    expect(waiting.body).toMatchObject({
      type: 'domain.waiting_for_release',
      data: { service: 'toot', domain: 'toot.example', state: 'waiting_for_release', attempts: 1 },
    });
    expect(waiting.body.data.lastError?.detail).toMatch(/toot\.example/);
    expect(waiting.body.data.nextAttemptAt).toEqual((await controlPlane.getDomain('toot', 'toot.example')).nextAttemptAt);

    // More refusals tell nobody anything new.
    (harness.clock as ManualClock).advance(120_000);
    await worker.tick();
    expect(await delivery.deliverDue()).toBe(0);

    await harness.control('DELETE', '/holds/toot.example');
    await harness.tickUntil('toot', 'toot.example', 'cached', { stepMs: 10_000 });
    await delivery.deliverDue();
    expect(receiver.events.map((event) => event.body.type)).toEqual(['domain.waiting_for_release', 'domain.active', 'domain.securing', 'domain.cached']);
    expect(receiver.events.find((event) => event.body.type === 'domain.securing')!.body.data.dnsRecords).toEqual(
      (await controlPlane.getDomain('toot', 'toot.example')).tls!.dnsRecords,
    );
    expect(new Set(receiver.events.map((event) => event.id)).size).toBe(4);
    expect([...receiver.arrivals.values()]).toEqual([1, 1, 1, 1]);
    expect(receiver.rejected).toBe(0);
    const [listed] = await notifications.list('toot');
    expect(listed!.delivery).toMatchObject({ delivered: 4, pending: 0, lastFailure: null });
  });

  it('retries a failed delivery with backoff and the same id, and shows the last failure', async () => {
    const { controlPlane, notifications, delivery, worker } = harness.opened;
    const clock = harness.clock as ManualClock;
    await controlPlane.createService(serviceInput('toot'));
    const channel = await notifications.add('toot', { kind: 'webhook', url: receiver.url, secret: SECRET, events: ['domain.waiting_for_release'] });
    const seen: string[] = [];
    receiver.respond = (request, res) => {
      seen.push(request.id);
      if (seen.length > 1) return 'record';
      res.writeHead(500).end('receiver down for maintenance');
      return 'handled';
    };
    await harness.holdByOtherAccount('toot.example');
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await worker.tick();
    expect(await delivery.deliverDue()).toBe(0);
    const [failed] = await notifications.list('toot');
    expect(failed!.delivery).toMatchObject({ delivered: 0, pending: 1, lastFailure: 'the receiver answered 500: receiver down for maintenance' });
    // Not due again at once: it backs off.
    expect(await delivery.deliverDue()).toBe(0);
    expect(seen).toHaveLength(1);
    clock.advance(60_000);
    expect(await delivery.deliverDue()).toBe(1);
    expect(seen).toEqual([seen[0], seen[0]]);
    expect(receiver.events).toHaveLength(1);
    const [delivered] = await notifications.list('toot');
    expect(delivered!.delivery).toMatchObject({ delivered: 1, pending: 0 });
    expect(delivered!.id).toBe(channel.id);
  });

  it("sends one channel's events one after another in order, while another channel goes on in parallel", async () => {
    const { controlPlane, notifications, delivery } = harness.opened;
    const other = await startWebhookReceiver(SECRET);
    try {
      await controlPlane.createService(serviceInput('toot'));
      await notifications.add('toot', { kind: 'webhook', url: receiver.url, secret: SECRET });
      await notifications.add('toot', { kind: 'webhook', url: other.url, secret: SECRET });
      await twoDueServiceEvents();

      // The first receiver holds its first answer until the other channel has both its events (channels
      // sent one after another would never get there), and a moment more, in which its own second
      // event would come if it had been sent at once.
      const otherArrived = other.waitFor(2).then(() => new Promise((resolve) => setTimeout(resolve, 100)));
      const log: string[] = [];
      receiver.respond = (request, res) => {
        log.push(`arrived ${request.body.data.message}`);
        if (log.length > 1) return 'record';
        void otherArrived.then(() => {
          log.push(`answered ${request.body.data.message}`);
          res.writeHead(204).end();
        });
        return 'handled';
      };
      expect(await delivery.deliverDue()).toBe(4);
      expect(log).toEqual(['arrived first', 'answered first', 'arrived second']);
      expect(other.events.map((event) => event.body.data.message)).toEqual(['first', 'second']);
    } finally {
      await other.close();
    }
  });

  it("after a failure, the channel's later events wait for the failed one instead of overtaking it", async () => {
    const { controlPlane, notifications, delivery } = harness.opened;
    const clock = harness.clock as ManualClock;
    await controlPlane.createService(serviceInput('toot'));
    await notifications.add('toot', { kind: 'webhook', url: receiver.url, secret: SECRET });
    await twoDueServiceEvents();
    const log: string[] = [];
    receiver.respond = (request, res) => {
      log.push(request.body.data.message);
      if (log.length > 1) return 'record';
      res.writeHead(503).end('busy');
      return 'handled';
    };
    expect(await delivery.deliverDue()).toBe(0);
    expect(log).toEqual(['first']);
    expect((await notifications.list('toot'))[0]!.delivery).toMatchObject({ delivered: 0, pending: 2, lastFailure: 'the receiver answered 503: busy' });
    // Not due again before the failed one's next attempt; then both, in order.
    expect(await delivery.deliverDue()).toBe(0);
    clock.advance(10 * 60_000);
    expect(await delivery.deliverDue()).toBe(2);
    expect(log).toEqual(['first', 'first', 'second']);
  });

  it('sends no event of a round whose claim may have run out by the time it would be sent', async () => {
    const { controlPlane, notifications, delivery } = harness.opened;
    const clock = harness.clock as ManualClock;
    await controlPlane.createService(serviceInput('toot'));
    await notifications.add('toot', { kind: 'webhook', url: receiver.url, secret: SECRET });
    await twoDueServiceEvents();
    // The first send takes longer than the receiver's timeout (10 s) and a second: the second
    // event's claim could end while it is being sent, so another process may take it; not this round.
    receiver.respond = (request) => {
      if (request.body.data.message === 'first') clock.advance(11_001);
      return 'record';
    };
    expect(await delivery.deliverDue()).toBe(1);
    expect(receiver.events.map((event) => event.body.data.message)).toEqual(['first']);
    expect(await delivery.deliverDue()).toBe(1);
    expect(receiver.events.map((event) => event.body.data.message)).toEqual(['first', 'second']);
  });

  it('signs with the UTF-8 bytes of a secret without the whsec_ prefix', async () => {
    const plain = 'a plain shared secret, 32 chars!';
    const plainReceiver = await startWebhookReceiver(plain);
    try {
      const { controlPlane, notifications } = harness.opened;
      await controlPlane.createService(serviceInput('toot'));
      const channel = await notifications.add('toot', { kind: 'webhook', url: plainReceiver.url, secret: plain });
      expect(await notifications.test('toot', channel.id)).toMatchObject({ delivered: true, error: null });
      expect(plainReceiver.events.map((event) => event.body.type)).toEqual(['notification.test']);
      expect(plainReceiver.rejected).toBe(0);
      // The same receiver refuses a signature made with another key.
      const wrong = await notifications.add('toot', { kind: 'webhook', url: plainReceiver.url, secret: 'another secret of 32 characters!' });
      expect(await notifications.test('toot', wrong.id)).toMatchObject({ delivered: false, error: 'the receiver answered 400: bad signature' });
    } finally {
      await plainReceiver.close();
    }
  });

  it('tells when a service needs attention, and removing a channel drops its undelivered events', async () => {
    const { controlPlane, notifications, delivery, store } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    const channel = await notifications.add('toot', { kind: 'webhook', url: receiver.url, secret: SECRET });
    const service = (await store.getService('toot'))!;
    await store.putService({
      ...service,
      status: 'needs_attention',
      lastError: { code: 'fastly_rejected', detail: 'version 2 is not valid' },
      updatedAt: new Date(harness.clock.now()).toISOString(),
    });
    await delivery.deliverDue();
    expect(receiver.events.map((event) => event.body)).toEqual([
      expect.objectContaining({
        type: 'service.needs_attention',
        data: expect.objectContaining({ service: 'toot', domain: null, message: 'version 2 is not valid' }),
      }),
    ]);
    await store.putService({ ...service, status: 'ready', updatedAt: new Date(harness.clock.now() + 1).toISOString() });
    await store.putService({
      ...service,
      status: 'needs_attention',
      lastError: { code: 'unauthorized', detail: 'bad token' },
      updatedAt: new Date(harness.clock.now() + 2).toISOString(),
    });
    expect((await notifications.list('toot'))[0]!.delivery.pending).toBe(1);
    await notifications.remove('toot', channel.id);
    expect(await notifications.list('toot')).toEqual([]);
    expect(await delivery.deliverDue()).toBe(0);
    await expect(notifications.remove('toot', channel.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
