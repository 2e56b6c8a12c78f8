import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock';
import { EdgeplaneError } from '../errors';
import type { Repository } from '../store';
import type { ChannelStatus } from '../store/notification-store';
import { sendOnChannel } from './delivery';
import { eventId } from './events';
import { ChannelInput, type ChannelView, type NotificationEvent, type NotificationsApi, type StoredChannel, type TestResult } from './model';

function view({ channel, ...delivery }: ChannelStatus): ChannelView {
  return {
    id: channel.id,
    service: channel.service,
    kind: channel.kind,
    target: channel.kind === 'webhook' ? channel.url : channel.instance,
    visibility: channel.kind === 'mastodon' ? channel.visibility : null,
    events: channel.events,
    createdAt: channel.createdAt,
    delivery,
  };
}

/** Channels of a service: added, listed (never with their secrets), removed, tested by hand. */
export class Notifications implements NotificationsApi {
  constructor(
    private readonly store: Repository,
    private readonly clock: Clock,
    private readonly timeoutMs = 10_000,
  ) {}

  async add(service: string, input: ChannelInput): Promise<ChannelView> {
    await this.requireService(service);
    const result = ChannelInput.safeParse(input);
    if (!result.success) throw new EdgeplaneError('invalid_input', `invalid notification channel: ${z.prettifyError(result.error)}`);
    const parsed = result.data;
    const base = { id: `ch_${randomUUID().replaceAll('-', '')}`, service, events: parsed.events ?? null, createdAt: new Date(this.clock.now()).toISOString() };
    const channel: StoredChannel =
      parsed.kind === 'webhook'
        ? { ...base, kind: 'webhook', url: parsed.url, secret: parsed.secret }
        : { ...base, kind: 'mastodon', instance: parsed.instance, accessToken: parsed.accessToken, visibility: parsed.visibility };
    await this.store.notifications.addChannel(channel);
    const added = (await this.store.notifications.listChannels(service)).find((status) => status.channel.id === channel.id);
    return view(added!);
  }

  async list(service: string): Promise<ChannelView[]> {
    await this.requireService(service);
    return (await this.store.notifications.listChannels(service)).map(view);
  }

  async remove(service: string, id: string): Promise<void> {
    await this.requireService(service);
    if (!(await this.store.notifications.removeChannel(service, id)))
      throw new EdgeplaneError('not_found', `service "${service}" has no notification channel ${id}`);
  }

  /** Sends a `notification.test` event now, outside the outbox, and says what happened. */
  async test(service: string, id: string): Promise<TestResult> {
    await this.requireService(service);
    const channel = await this.store.notifications.getChannel(service, id);
    if (!channel) throw new EdgeplaneError('not_found', `service "${service}" has no notification channel ${id}`);
    const at = new Date(this.clock.now());
    const event: NotificationEvent = {
      type: 'notification.test',
      timestamp: at.toISOString(),
      data: {
        service,
        domain: null,
        state: 'ready',
        attempts: 0,
        lastError: null,
        nextAttemptAt: null,
        dnsRecords: [],
        message: 'A test notification sent by hand',
      },
    };
    const testId = eventId([service, id, event.type, event.timestamp]);
    try {
      await sendOnChannel(channel, testId, JSON.stringify(event), at, this.timeoutMs);
      return { delivered: true, eventId: testId, error: null };
    } catch (error) {
      return { delivered: false, eventId: testId, error: error instanceof Error ? error.message : String(error) };
    }
  }

  private async requireService(service: string): Promise<void> {
    if (!(await this.store.getService(service))) throw new EdgeplaneError('not_found', `no service "${service}"`);
  }
}
