import { z } from 'zod';
import { ErrorCode } from './errors';
import { DOMAIN_ROLES } from './site-config';

// The records the control plane keeps and shows. These schemas are the contract shared by the
// store, the lifecycle, the API (OpenAPI is generated from them) and the CLI.

export const DomainState = z.enum(['queued', 'attaching', 'waiting_for_release', 'active', 'securing', 'cached', 'needs_attention', 'cancelled']);
export type DomainState = z.infer<typeof DomainState>;

/** What the edge does with a host (src/site-config.ts): main, alias, redirect or static. */
export const DomainRole = z.enum(DOMAIN_ROLES);
export type DomainRole = z.infer<typeof DomainRole>;

const Timestamp = z.iso.datetime();

/** cert-manager style status condition. */
export const Condition = z.object({
  /** Ready, Attached, CertificateIssued, Cached, Stale, EdgeServes; OldAccount while a migration waits on the old account. */
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: Timestamp,
});
export type Condition = z.infer<typeof Condition>;

export const LastError = z.object({
  code: ErrorCode,
  /** Fastly's text verbatim when Fastly said it. */
  detail: z.string(),
});
export type LastError = z.infer<typeof LastError>;

export const HistoryEvent = z.object({
  at: Timestamp,
  from: DomainState.nullable(),
  to: DomainState,
  /** Short machine name of what happened: attach_requested, refused, released, activated, ... */
  event: z.string(),
  message: z.string(),
});
export type HistoryEvent = z.infer<typeof HistoryEvent>;

/** A DNS record the operator must create for the certificate or for traffic. */
export const DnsRecord = z.object({
  type: z.enum(['CNAME', 'A', 'AAAA', 'TXT']),
  name: z.string(),
  value: z.string(),
  purpose: z.enum(['acme_challenge', 'traffic']),
});
export type DnsRecord = z.infer<typeof DnsRecord>;

export const TlsStatus = z.object({
  subscriptionId: z.string(),
  state: z.enum(['pending', 'processing', 'issued', 'renewing', 'failed']),
  dnsRecords: z.array(DnsRecord),
});
export type TlsStatus = z.infer<typeof TlsStatus>;

export const DomainRecord = z.object({
  service: z.string(),
  domain: z.string(),
  role: DomainRole,
  state: DomainState,
  attempts: z.number().int().nonnegative(),
  lastAttemptAt: Timestamp.nullable(),
  nextAttemptAt: Timestamp.nullable(),
  lastError: LastError.nullable(),
  conditions: z.array(Condition),
  history: z.array(HistoryEvent),
  /** The Fastly version number, recorded only after it was activated with this domain on it. */
  activeVersion: z.number().int().positive().nullable(),
  tls: TlsStatus.nullable(),
  /** The caching switch `caching:<domain>` as last written to the config store. */
  caching: z.boolean(),
  /** Operator override of the caching switch (`setCaching`); null = the lifecycle decides. */
  cachingOverride: z.boolean().nullable(),
  /** Take the domain over from another service of the same Fastly account. */
  move: z.boolean(),
  /** When Fastly first refused the domain as held by another account (drives the Stale condition). */
  waitingSince: Timestamp.nullable(),
  /** Start of the current backoff (reset by "retry now"; drives the probe schedule). */
  backoffSince: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type DomainRecord = z.infer<typeof DomainRecord>;

/** A domain record without its history: what a list shows (the single record keeps the history). */
export const DomainSummary = DomainRecord.omit({ history: true });
export type DomainSummary = z.infer<typeof DomainSummary>;

export const DOMAIN_PAGE_DEFAULT_LIMIT = 100;
export const DOMAIN_PAGE_MAX_LIMIT = 1000;

/** Which page of a service's domains, ordered by domain name: at most `limit`, after the domain `after`. */
export const DomainPageRequest = z
  .object({
    limit: z.number().int().min(1).max(DOMAIN_PAGE_MAX_LIMIT).default(DOMAIN_PAGE_DEFAULT_LIMIT),
    /** The `next` cursor of the previous page: the last domain it listed. */
    after: z.string().min(1).optional(),
  })
  .strict();
export type DomainPageRequest = z.input<typeof DomainPageRequest>;

export const DomainPage = z.object({
  items: z.array(DomainSummary),
  /** Pass as `after` for the next page; null on the last page. */
  next: z.string().nullable(),
});
export type DomainPage = z.infer<typeof DomainPage>;

export const Origin = z
  .object({
    address: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(443),
    /** Connect to the origin over TLS (certificate checked against `address` unless `hostHeader`). */
    useTls: z.boolean().default(true),
    /** Host header sent to this origin; default: the client's Host (main) or `address` (static). */
    hostHeader: z.string().min(1).max(253).optional(),
    /** Path prefix added in front of every path (object storage bucket), e.g. `/toot-media`. */
    pathPrefix: z
      .string()
      .regex(/^\/[^\s?#]*$/)
      .optional(),
  })
  .strict();
export type Origin = z.infer<typeof Origin>;

const SERVICE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const ServiceName = z.string().regex(SERVICE_NAME_PATTERN, {
  // `Toot` for `toot` is the usual slip: name the lower-case name rather than only the rule.
  error: ({ input }) => {
    const lower = typeof input === 'string' ? input.toLowerCase() : '';
    return lower !== input && SERVICE_NAME_PATTERN.test(lower)
      ? `service names are lower-case: "${String(input)}" is not one; did you mean "${lower}"?`
      : 'lower-case letters, digits and dashes, at most 63, starting with a letter or digit';
  },
});

export const ServiceInput = z
  .object({
    name: ServiceName,
    origins: z.object({ main: Origin, static: Origin }).strict(),
    /** The service's own Config Store, which the edge reads; default `edgeplane-<name>`. */
    configStoreName: z.string().min(1).max(255).optional(),
  })
  .strict();
export type ServiceInput = z.input<typeof ServiceInput>;

export const ServiceRecord = z.object({
  name: ServiceName,
  fastlyServiceId: z.string().nullable(),
  activeVersion: z.number().int().positive().nullable(),
  configStoreId: z.string().nullable(),
  configStoreName: z.string(),
  origins: z.object({ main: Origin, static: Origin }),
  /** `ready` once a version with backends, config store link and package is active. */
  status: z.enum(['provisioning', 'ready', 'needs_attention']),
  /** Why the service is not ready (e.g. no edge package built yet). */
  lastError: LastError.nullable(),
  /** The package that was uploaded, when one was. */
  packagePath: z.string().nullable(),
  domains: z.array(z.object({ domain: z.string(), role: DomainRole, state: DomainState })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ServiceRecord = z.infer<typeof ServiceRecord>;

export const AttachInput = z
  .object({
    domain: z.string(),
    role: DomainRole,
    /** Take the domain over from another service of the same Fastly account. */
    move: z.boolean().optional(),
  })
  .strict();
export type AttachInput = z.infer<typeof AttachInput>;

export const PurgeInput = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ key: z.string().min(1).max(1024) }).strict(),
  z.object({ keys: z.array(z.string().min(1).max(1024)).min(1).max(256) }).strict(),
  z.object({ url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL of one of the service's hosts" }) }).strict(),
]);
export type PurgeInput = z.infer<typeof PurgeInput>;
