import { z } from 'zod';
import { TlsStatus } from '../model';

// Fastly's answers as we read them: only the fields the gateway uses, each parsed once here.
// Objects are loose on purpose: Fastly adds fields, and an added field must not break us.

export const VersionAnswer = z.object({
  number: z.number().int().positive(),
  active: z.boolean(),
  locked: z.boolean(),
  comment: z.string().nullish(),
});

export const CustomerAnswer = z.object({ id: z.string().min(1), name: z.string() });

export const ServiceAnswer = z.object({
  id: z.string().min(1),
  name: z.string(),
  type: z.enum(['wasm', 'vcl']),
  versions: z.array(VersionAnswer),
});

/** `GET /service`: the services with their versions (fastly/fixtures/services/compute/list.yaml). */
export const ServiceListAnswer = z.array(ServiceAnswer);

export const DomainListAnswer = z.array(z.object({ name: z.string() }));

export const BackendAnswer = z.object({
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  use_ssl: z.boolean(),
  override_host: z.string().nullish(),
  ssl_cert_hostname: z.string().nullish(),
  ssl_sni_hostname: z.string().nullish(),
  connect_timeout: z.number().int().nullish(),
  first_byte_timeout: z.number().int().nullish(),
  between_bytes_timeout: z.number().int().nullish(),
});

export const PackageAnswer = z.object({
  metadata: z
    .object({
      hashsum: z.string().nullish(),
      files_hash: z.string().nullish(),
      size: z.number().nullish(),
    })
    .nullish(),
});

/** `GET .../validate`: `status` is `ok` or `error`; errors are strings or `{message}` objects. */
export const ValidationAnswer = z.object({
  status: z.string(),
  msg: z.string().nullish(),
  errors: z.array(z.union([z.string(), z.object({ message: z.string() })])).nullish(),
});

export const ConfigStoreAnswer = z.object({ id: z.string().min(1), name: z.string() });

export const ConfigItemAnswer = z.object({ item_key: z.string(), item_value: z.string() });

export const ResourceLinkAnswer = z.object({ id: z.string().min(1), name: z.string(), resource_id: z.string() });

/** `{"status": "ok"}` of deletes and purge-all. */
export const StatusAnswer = z.object({ status: z.string() });

export const PurgeAnswer = z.object({ status: z.string(), id: z.string() });

/** Bulk surrogate-key purge: `{ key: purgeId }`. */
export const BulkPurgeAnswer = z.record(z.string(), z.string());

const Challenge = z.object({
  type: z.string(),
  record_type: z.string(),
  record_name: z.string(),
  values: z.array(z.string()),
});

const TlsAuthorization = z.object({
  type: z.literal('tls_authorization'),
  id: z.string(),
  attributes: z.object({ challenges: z.array(Challenge).nullish() }),
});

const OtherIncluded = z.object({ type: z.string().refine((type) => type !== 'tls_authorization') });

const RelationshipList = z.object({ data: z.array(z.object({ id: z.string() })) });

export const TlsSubscriptionData = z.object({
  id: z.string().min(1),
  attributes: z.object({ state: TlsStatus.shape.state }),
  relationships: z.object({
    tls_domains: RelationshipList,
    tls_authorizations: RelationshipList.nullish(),
  }),
});

const Included = z.array(z.union([TlsAuthorization, OtherIncluded])).nullish();

export const TlsSubscriptionDocument = z.object({ data: TlsSubscriptionData, included: Included });

export const TlsSubscriptionListDocument = z.object({ data: z.array(TlsSubscriptionData), included: Included });

/** JSON:API paging of the TLS lists (`meta.total_pages`; fastly/fixtures/custom_tls/list.yaml). */
const JsonApiMeta = z.object({ total_pages: z.number().int().nullish() }).nullish();

export const TlsSubscriptionPageDocument = TlsSubscriptionListDocument.extend({ meta: JsonApiMeta });

/** Uploaded certificates (`/tls/certificates`): the names each covers are its `tls_domains`. */
export const TlsCertificatePageDocument = z.object({
  data: z.array(
    z.object({ id: z.string().min(1), attributes: z.object({ name: z.string().nullish() }), relationships: z.object({ tls_domains: RelationshipList }) }),
  ),
  meta: JsonApiMeta,
});

/** TLS activations (`/tls/activations`): one certificate enabled for one domain (fastly/fixtures/custom_tls_activation/list.yaml). */
export const TlsActivationPageDocument = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      relationships: z.object({
        tls_certificate: z.object({ data: z.object({ id: z.string().min(1) }) }),
        tls_domain: z.object({ data: z.object({ id: z.string().min(1) }) }),
      }),
    }),
  ),
  meta: JsonApiMeta,
});

export type TlsIncluded = z.infer<typeof Included>;

/** Domain Management v1. */
export const ManagedDomainAnswer = z.object({
  id: z.string().min(1),
  fqdn: z.string(),
  service_id: z.string().nullish(),
  activated: z.boolean().nullish(),
  verified: z.boolean().nullish(),
});

export const ManagedDomainListAnswer = z.object({
  data: z.array(ManagedDomainAnswer),
  meta: z.object({ next_cursor: z.string().nullish() }).nullish(),
});
