import type { Clock } from '../clock';
import type { Logger } from '../lifecycle/context';
import { PollLoop } from '../poll-loop';
import type { ClaimedDelivery, NotificationStore } from '../store/notification-store';
import { postStatus } from './mastodon';
import { NotificationEvent, type StoredChannel } from './model';
import { sendWebhook } from './webhook';

export interface DeliveryOptions {
  pollIntervalMs?: number;
  /** Most deliveries taken per round; channels are sent to in parallel, each channel's events in order. */
  batchSize?: number;
  /** Longest wait for one receiver. */
  timeoutMs?: number;
  /** Backoff of a failed delivery: doubles from initialMs up to maxMs, with jitter (default: the retry job's). */
  backoff?: { initialMs: number; maxMs: number };
}

/** Sends one event on one channel; throws with a reason a person can read when it was not taken. */
export async function sendOnChannel(channel: StoredChannel, id: string, body: string, at: Date, timeoutMs: number): Promise<void> {
  if (channel.kind === 'webhook') return sendWebhook(channel, id, body, at, timeoutMs);
  return postStatus(channel, id, NotificationEvent.parse(JSON.parse(body)), timeoutMs);
}

function deliveryBackoffMs(attempts: number, backoff: { initialMs: number; maxMs: number }, random: number): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempts, 30));
  return Math.round(base * (0.5 + random / 2));
}

/**
 * The delivery loop: takes due outbox rows, sends them, marks each delivered or schedules its next
 * attempt. At least once: a crash between sending and marking sends the event again, with the same
 * id. It runs beside the retry job, never inside it, so a slow or dead receiver cannot hold up a
 * reconcile step.
 */
export class OutboxDelivery {
  private readonly loop: PollLoop;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(
    private readonly store: NotificationStore,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly logger: Logger,
    options: DeliveryOptions = {},
  ) {
    this.loop = new PollLoop(() => this.loopRound(), options.pollIntervalMs ?? 1_000);
    this.batchSize = options.batchSize ?? 50;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.backoff = options.backoff ?? { initialMs: 5_000, maxMs: 15 * 60_000 };
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One round: every due delivery is tried once. Resolves to how many were delivered. */
  async deliverDue(): Promise<number> {
    const now = new Date(this.clock.now());
    // Claimed past the receiver's timeout, so nobody else takes a row while it is being sent.
    const claimUntil = new Date(now.getTime() + 2 * this.timeoutMs + 1_000);
    const claimed = await this.store.claimDue(now, claimUntil, this.batchSize);
    // One channel's events go one after another, oldest first, so its receiver sees them in the
    // order they happened; channels go in parallel, so a slow receiver holds up only its own.
    const byChannel = new Map<string, ClaimedDelivery[]>();
    for (const delivery of claimed) byChannel.set(delivery.channel.id, [...(byChannel.get(delivery.channel.id) ?? []), delivery]);
    const counts = await Promise.all([...byChannel.values()].map((deliveries) => this.deliverInOrder(deliveries, claimUntil)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /**
   * A channel's events of this round, in order. After a failure the rest are given back due with
   * the failed one's next attempt, after it, rather than overtake it; when a send might outlast
   * the claim (another process could take the row then), the rest are given back due at once.
   */
  private async deliverInOrder(deliveries: readonly ClaimedDelivery[], claimUntil: Date): Promise<number> {
    for (const [index, delivery] of deliveries.entries()) {
      const outOfTime = this.clock.now() + this.timeoutMs > claimUntil.getTime();
      const retryAt = outOfTime ? new Date(this.clock.now()) : await this.deliver(delivery);
      if (retryAt !== null) {
        const rest = deliveries.slice(outOfTime ? index : index + 1).map(({ eventId, channel }) => ({ eventId, channelId: channel.id }));
        await this.store.release(rest, claimUntil, retryAt);
        return index;
      }
    }
    return deliveries.length;
  }

  /** Sends one claimed delivery and records the outcome: null when delivered, else its next attempt. */
  private async deliver(delivery: ClaimedDelivery): Promise<Date | null> {
    const { channel, eventId } = delivery;
    try {
      await sendOnChannel(channel, eventId, delivery.body, new Date(this.clock.now()), this.timeoutMs);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const nowMs = this.clock.now();
      const next = new Date(nowMs + deliveryBackoffMs(delivery.attempts, this.backoff, this.random()));
      // The channel id and kind only: its URL may carry a token, and its secret is never logged.
      this.logger.warn(
        { channel: channel.id, kind: channel.kind, event: eventId, attempts: delivery.attempts + 1, reason, next: next.toISOString() },
        'notification not delivered',
      );
      await this.store.markFailed(eventId, channel.id, new Date(nowMs), reason, next);
      return next;
    }
    await this.store.markDelivered(eventId, channel.id, new Date(this.clock.now()));
    this.logger.info({ channel: channel.id, kind: channel.kind, event: eventId }, 'notification delivered');
    return null;
  }

  private async loopRound(): Promise<void> {
    try {
      await this.deliverDue();
    } catch (error) {
      this.logger.error({ err: error }, 'notification delivery round failed');
    }
  }
}
