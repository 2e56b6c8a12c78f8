import type { Kysely } from 'kysely';
import { z } from 'zod';
import { EventType, type IdentifiedEvent, MastodonVisibility, type StoredChannel } from '../notify/model';
import type { Database, NotificationChannelsTable } from './tables';

// Notification channels and the outbox. `enqueueEvents` runs inside the transaction that saves a
// domain or a service, so an event exists exactly when its change does.

const ChannelConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('webhook'), url: z.string(), secret: z.string() }),
  z.object({ kind: z.literal('mastodon'), instance: z.string(), accessToken: z.string(), visibility: MastodonVisibility }),
]);

function channelFromRow(row: NotificationChannelsTable): StoredChannel {
  const config = ChannelConfig.parse({ kind: row.kind, ...JSON.parse(row.config) });
  return {
    ...config,
    id: row.id,
    service: row.service,
    createdAt: row.created_at,
    events: row.events === null ? null : z.array(EventType).parse(JSON.parse(row.events)),
  };
}

function configOf(channel: StoredChannel): string {
  return JSON.stringify(
    channel.kind === 'webhook'
      ? { url: channel.url, secret: channel.secret }
      : { instance: channel.instance, accessToken: channel.accessToken, visibility: channel.visibility },
  );
}

/** Adds one outbox row per event and per channel of the service that wants it. */
export async function enqueueEvents(db: Kysely<Database>, service: string, events: readonly IdentifiedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const channels = (await db.selectFrom('notification_channels').selectAll().where('service', '=', service).execute()).map(channelFromRow);
  const rows = events.flatMap(({ id, event }) =>
    channels
      .filter((channel) => channel.events === null || (channel.events as string[]).includes(event.type))
      .map((channel) => ({
        event_id: id,
        channel_id: channel.id,
        type: event.type,
        body: JSON.stringify(event),
        created_at: event.timestamp,
        attempts: 0,
        next_attempt_at: event.timestamp,
        delivered_at: null,
        last_error: null,
      })),
  );
  if (rows.length === 0) return;
  // The same change saved twice makes the same ids: nothing new. 9 parameters a row, and D1
  // binds at most 100 per statement (docs/cloudflare-facts.md).
  for (let start = 0; start < rows.length; start += 9) {
    await db
      .insertInto('notification_outbox')
      .values(rows.slice(start, start + 9))
      .onConflict((oc) => oc.columns(['event_id', 'channel_id']).doNothing())
      .execute();
  }
}

export interface ChannelStatus {
  channel: StoredChannel;
  delivered: number;
  pending: number;
  lastDeliveredAt: string | null;
  lastFailureAt: string | null;
  lastFailure: string | null;
}

/** An outbox row taken for one delivery attempt. */
export interface ClaimedDelivery {
  eventId: string;
  channel: StoredChannel;
  body: string;
  attempts: number;
}

export class NotificationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async addChannel(channel: StoredChannel): Promise<void> {
    await this.db
      .insertInto('notification_channels')
      .values({
        id: channel.id,
        service: channel.service,
        kind: channel.kind,
        config: configOf(channel),
        events: channel.events === null ? null : JSON.stringify(channel.events),
        created_at: channel.createdAt,
        last_delivered_at: null,
        last_failure_at: null,
        last_failure: null,
      })
      .execute();
  }

  async getChannel(service: string, id: string): Promise<StoredChannel | null> {
    const row = await this.db.selectFrom('notification_channels').selectAll().where('service', '=', service).where('id', '=', id).executeTakeFirst();
    return row ? channelFromRow(row) : null;
  }

  async listChannels(service: string): Promise<ChannelStatus[]> {
    const rows = await this.db.selectFrom('notification_channels').selectAll().where('service', '=', service).orderBy('created_at').orderBy('id').execute();
    const counts = await this.db
      .selectFrom('notification_outbox')
      .innerJoin('notification_channels', 'notification_channels.id', 'notification_outbox.channel_id')
      .select((eb) => [
        'notification_outbox.channel_id as channelId',
        eb.fn.count<number>('notification_outbox.delivered_at').as('delivered'),
        eb.fn.countAll<number>().as('total'),
      ])
      .where('notification_channels.service', '=', service)
      .groupBy('notification_outbox.channel_id')
      .execute();
    const byChannel = new Map(counts.map((row) => [row.channelId, { delivered: Number(row.delivered), total: Number(row.total) }]));
    return rows.map((row) => {
      const count = byChannel.get(row.id) ?? { delivered: 0, total: 0 };
      return {
        channel: channelFromRow(row),
        delivered: count.delivered,
        pending: count.total - count.delivered,
        lastDeliveredAt: row.last_delivered_at,
        lastFailureAt: row.last_failure_at,
        lastFailure: row.last_failure,
      };
    });
  }

  /** Removes the channel and its undelivered events; false when there was none. */
  async removeChannel(service: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Read before writing: on D1 a transaction's writes run at its commit (cloudflare/d1-dialect.ts).
      const channel = await trx.selectFrom('notification_channels').select('id').where('service', '=', service).where('id', '=', id).executeTakeFirst();
      if (!channel) return false;
      await trx.deleteFrom('notification_channels').where('service', '=', service).where('id', '=', id).execute();
      await trx.deleteFrom('notification_outbox').where('channel_id', '=', id).execute();
      return true;
    });
  }

  /**
   * Takes up to `limit` due deliveries, oldest first, each until `claimUntil` (a conditional update
   * per row, so two processes never take the same row at once; one that crashed lets it go then).
   */
  async claimDue(now: Date, claimUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
    const due = await this.db
      .selectFrom('notification_outbox')
      .innerJoin('notification_channels', 'notification_channels.id', 'notification_outbox.channel_id')
      .selectAll('notification_channels')
      .select(['notification_outbox.event_id', 'notification_outbox.body', 'notification_outbox.attempts', 'notification_outbox.next_attempt_at'])
      .where('notification_outbox.next_attempt_at', 'is not', null)
      .where('notification_outbox.next_attempt_at', '<=', now.toISOString())
      .orderBy('notification_outbox.next_attempt_at')
      .orderBy('notification_outbox.created_at')
      .limit(limit)
      .execute();
    const claimed: ClaimedDelivery[] = [];
    for (const row of due) {
      const result = await this.db
        .updateTable('notification_outbox')
        .set({ next_attempt_at: claimUntil.toISOString() })
        .where('event_id', '=', row.event_id)
        .where('channel_id', '=', row.id)
        .where('next_attempt_at', '=', row.next_attempt_at)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) claimed.push({ eventId: row.event_id, channel: channelFromRow(row), body: row.body, attempts: row.attempts });
    }
    return claimed;
  }

  /**
   * Gives back claimed rows that were not sent, due at `dueAt`; a row whose claim (`claimUntil`)
   * is no longer ours is left to whoever took it.
   */
  async release(rows: ReadonlyArray<{ eventId: string; channelId: string }>, claimUntil: Date, dueAt: Date): Promise<void> {
    for (const { eventId, channelId } of rows) {
      await this.db
        .updateTable('notification_outbox')
        .set({ next_attempt_at: dueAt.toISOString() })
        .where('event_id', '=', eventId)
        .where('channel_id', '=', channelId)
        .where('next_attempt_at', '=', claimUntil.toISOString())
        .execute();
    }
  }

  async markDelivered(eventId: string, channelId: string, at: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('notification_outbox')
        .set((eb) => ({ next_attempt_at: null, delivered_at: at.toISOString(), attempts: eb('attempts', '+', 1), last_error: null }))
        .where('event_id', '=', eventId)
        .where('channel_id', '=', channelId)
        .execute();
      await trx.updateTable('notification_channels').set({ last_delivered_at: at.toISOString() }).where('id', '=', channelId).execute();
    });
  }

  async markFailed(eventId: string, channelId: string, at: Date, error: string, nextAttemptAt: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('notification_outbox')
        .set((eb) => ({ next_attempt_at: nextAttemptAt.toISOString(), attempts: eb('attempts', '+', 1), last_error: error }))
        .where('event_id', '=', eventId)
        .where('channel_id', '=', channelId)
        .execute();
      await trx.updateTable('notification_channels').set({ last_failure_at: at.toISOString(), last_failure: error }).where('id', '=', channelId).execute();
    });
  }
}
