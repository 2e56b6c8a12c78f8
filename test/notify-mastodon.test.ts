import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/clock';
import { type DemoStatus, type RunningDemoOrigin, startDemoOrigin } from '../src/demo/origin';
import { type LifecycleHarness, serviceInput, startLifecycleHarness } from './support/lifecycle-harness';

// Mastodon statuses from the outbox to the demo instance on 127.0.0.1: one status per event, in
// words for the instance's users, even when the instance stored a status and answered 500 (the
// retry carries the same Idempotency-Key, so the instance gives back the stored status).

const TOKEN = 'alice-access-token-0123';

let harness: LifecycleHarness;
let origin: RunningDemoOrigin;

beforeEach(async () => {
  harness = await startLifecycleHarness();
  origin = await startDemoOrigin({ statusToken: TOKEN });
});
afterEach(async () => {
  await origin.close();
  await harness.close();
});

const statuses = async () => (await (await fetch(`${origin.url}/__demo/statuses.json`)).json()) as DemoStatus[];

describe('mastodon notifications', () => {
  it('posts one status per event with the chosen visibility, even when the first answer is a 500', async () => {
    const { controlPlane, notifications, delivery, worker } = harness.opened;
    const clock = harness.clock as ManualClock;
    await controlPlane.createService(serviceInput('toot'));
    await notifications.add('toot', { kind: 'mastodon', instance: origin.url, accessToken: TOKEN, visibility: 'public' });
    await fetch(`${origin.url}/__demo/statuses/fail-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1 }),
    });

    await harness.holdByOtherAccount('toot.example');
    await controlPlane.attachDomain('toot', { domain: 'toot.example', role: 'main' });
    await worker.tick();
    expect(await delivery.deliverDue()).toBe(0);
    const [failed] = await notifications.list('toot');
    expect(failed!.delivery).toMatchObject({ delivered: 0, pending: 1, lastFailure: expect.stringMatching(/something went wrong/) });
    // The instance did store it; the retry must not post it again.
    expect(await statuses()).toHaveLength(1);
    clock.advance(60_000);
    expect(await delivery.deliverDue()).toBe(1);
    expect(await statuses()).toHaveLength(1);

    await harness.control('DELETE', '/holds/toot.example');
    await harness.tickUntil('toot', 'toot.example', 'cached', { stepMs: 10_000 });
    await delivery.deliverDue();
    const posted = await statuses();
    expect(posted.map((status) => status.content)).toEqual([
      expect.stringMatching(/^<p>toot\.example is moving to a faster network\. .*media may load slowly\.<\/p>$/),
      expect.stringMatching(/^<p>toot\.example now runs through the faster network/),
      expect.stringMatching(/^<p>toot\.example is getting its secure certificate/),
      expect.stringMatching(/^<p>toot\.example is now served from a network close to you/),
    ]);
    expect(posted.every((status) => status.visibility === 'public' && status.account.username === 'alice')).toBe(true);
    const page = await (await fetch(`${origin.url}/__demo/statuses`)).text();
    expect(page).toContain('toot.example is now served from a network close to you');
  });

  it('says why a post was refused (a wrong token) in the channel list and the test result', async () => {
    const { controlPlane, notifications } = harness.opened;
    await controlPlane.createService(serviceInput('toot'));
    const channel = await notifications.add('toot', { kind: 'mastodon', instance: origin.url, accessToken: 'not-the-token' });
    expect(await notifications.test('toot', channel.id)).toMatchObject({ delivered: false, error: expect.stringMatching(/access token is invalid/) });
    const good = await notifications.add('toot', { kind: 'mastodon', instance: origin.url, accessToken: TOKEN, visibility: 'direct' });
    expect(await notifications.test('toot', good.id)).toMatchObject({ delivered: true, error: null });
    expect((await statuses()).map((status) => status.visibility)).toEqual(['direct']);
  });
});
