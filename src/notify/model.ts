import { z } from 'zod';
import { DnsRecord, DomainState, LastError } from '../model';

// What notifications are: the events a person is told about, and the channels they are told on.
// Shared by the store (outbox), the delivery loop, the API and the CLI.

/** `domain.<state>` for the states worth telling about, plus stale and recovered; one for services. */
export const EventType = z.enum([
  'domain.waiting_for_release',
  'domain.stale',
  'domain.active',
  'domain.securing',
  'domain.cached',
  'domain.needs_attention',
  'domain.recovered',
  'service.needs_attention',
]);
export type EventType = z.infer<typeof EventType>;

const EventData = z.object({
  service: z.string(),
  domain: z.string().nullable(),
  state: z.union([DomainState, z.enum(['provisioning', 'ready', 'needs_attention'])]),
  attempts: z.number().int().nonnegative(),
  lastError: LastError.nullable(),
  nextAttemptAt: z.iso.datetime().nullable(),
  /** The DNS records to create, when the certificate needs them. */
  dnsRecords: z.array(DnsRecord),
  /** What happened, in a sentence (the history event's message). */
  message: z.string(),
});
export type EventData = z.infer<typeof EventData>;

/** The JSON body of a webhook, as the Standard Webhooks convention shapes it. */
export const NotificationEvent = z.object({
  /** An event type, or `notification.test` for a test sent by hand. */
  type: z.union([EventType, z.literal('notification.test')]),
  timestamp: z.iso.datetime(),
  data: EventData,
});
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** An event with its stable id (the same id on every delivery attempt). */
export interface IdentifiedEvent {
  id: string;
  event: NotificationEvent;
}

export const MastodonVisibility = z.enum(['public', 'unlisted', 'private', 'direct']);

const Events = z.array(EventType).min(1).optional();

const WebhookInput = z
  .object({
    kind: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    /** HMAC key: its UTF-8 bytes, or base64 after a `whsec_` prefix. Never shown again. */
    secret: z.string().min(16).max(256),
    /** Only these event types; default all. */
    events: Events,
  })
  .strict();

const MastodonInput = z
  .object({
    kind: z.literal('mastodon'),
    /** The instance's base URL, e.g. https://toot.example */
    instance: z.url({ protocol: /^https?$/ }),
    /** Access token of the account that posts (scope write:statuses). Never shown again. */
    accessToken: z.string().min(1).max(512),
    visibility: MastodonVisibility.default('unlisted'),
    events: Events,
  })
  .strict();

export const ChannelInput = z.discriminatedUnion('kind', [WebhookInput, MastodonInput]);
export type ChannelInput = z.input<typeof ChannelInput>;

/** A channel as stored: with its secret, which only the delivery loop reads. */
export type StoredChannel = {
  id: string;
  service: string;
  events: EventType[] | null;
  createdAt: string;
} & (
  | { kind: 'webhook'; url: string; secret: string }
  | { kind: 'mastodon'; instance: string; accessToken: string; visibility: z.infer<typeof MastodonVisibility> }
);

/** A channel as shown: never its secret or token. */
export const ChannelView = z.object({
  id: z.string(),
  service: z.string(),
  kind: z.enum(['webhook', 'mastodon']),
  /** The webhook URL or the Mastodon instance. */
  target: z.string(),
  visibility: MastodonVisibility.nullable(),
  events: z.array(EventType).nullable(),
  createdAt: z.iso.datetime(),
  delivery: z.object({
    delivered: z.number().int().nonnegative(),
    pending: z.number().int().nonnegative(),
    lastDeliveredAt: z.iso.datetime().nullable(),
    lastFailureAt: z.iso.datetime().nullable(),
    /** Why the last failed delivery failed (the receiver's status or the network error). */
    lastFailure: z.string().nullable(),
  }),
});
export type ChannelView = z.infer<typeof ChannelView>;

/** What a test delivery did. */
export const TestResult = z.object({
  delivered: z.boolean(),
  eventId: z.string(),
  /** Why it was not delivered. */
  error: z.string().nullable(),
});
export type TestResult = z.infer<typeof TestResult>;

/** What the API asks of notifications (implemented in src/notify/notifications.ts). */
export interface NotificationsApi {
  add(service: string, input: ChannelInput): Promise<ChannelView>;
  list(service: string): Promise<ChannelView[]>;
  remove(service: string, id: string): Promise<void>;
  test(service: string, id: string): Promise<TestResult>;
}
