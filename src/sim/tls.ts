import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { jsonApiError } from './errors';
import { Hostname } from './hostname';
import { onActiveVersionOf, refusalDetail, refusalFor } from './ownership';
import type { SimState, TlsSubscription } from './state';
import { tlsStateOf } from './tls-progress';

const JSON_API = 'application/vnd.api+json';
// The anycast addresses Fastly documents for `managed-http-a` (A records for apex domains).
const ANYCAST_A = ['151.101.1.195', '151.101.65.195', '151.101.129.195', '151.101.193.195'];

const DomainRefs = z.object({
  data: z.array(z.object({ type: z.literal('tls_domain').optional(), id: Hostname })).min(1, 'at least one tls_domain is required'),
});

// fastly-js sends `tls_domains`; go-fastly (and so the Fastly CLI and Terraform) sends `tls_domain`
// (fastly/fixtures/tls_subscription/create.yaml): both are accepted.
const Relationships = z.object({
  tls_domains: DomainRefs.optional(),
  tls_domain: DomainRefs.optional(),
  tls_configuration: z.object({ data: z.object({ type: z.string().optional(), id: z.string().min(1) }) }).optional(),
  common_name: z.object({ data: z.object({ id: Hostname }) }).optional(),
});

const domainsOf = (relationships: z.infer<typeof Relationships> | undefined) =>
  (relationships?.tls_domains ?? relationships?.tls_domain)?.data.map((ref) => ref.id);

const CreateSubscription = z.object({
  data: z.object({
    type: z.literal('tls_subscription').optional(),
    attributes: z
      .object({ certificate_authority: z.enum(['certainly', 'lets-encrypt', 'globalsign']).default('certainly') })
      .default({ certificate_authority: 'certainly' }),
    relationships: Relationships.refine((relationships) => domainsOf(relationships) !== undefined, {
      message: 'tls_domains is required',
      path: ['tls_domains'],
    }),
  }),
});

const PatchSubscription = z.object({
  data: z
    .object({
      attributes: z
        .object({
          certificate_authority: z.enum(['certainly', 'lets-encrypt', 'globalsign']).optional(),
          // fastly-js `patchTlsSub`: "retry a subscription with state `failed` by setting the state to `retry`".
          state: z.literal('retry').optional(),
        })
        .optional(),
      relationships: Relationships.optional(),
    })
    .optional(),
});

function jsonApi(c: Context, body: unknown, status = 200) {
  return c.body(JSON.stringify(body), status as 200, { 'content-type': JSON_API });
}

const parseJsonApi = <T extends z.ZodType>(c: Context, schema: T) => bodyOf(c, schema, (detail) => jsonApiError(400, 'Bad request', detail));

/** Platform TLS subscriptions (JSON:API): pending → processing → issued after the TLS delay, or failed. */
export function tlsRoutes(state: SimState) {
  const app = new Hono<SimEnv>();

  const authorizationView = (sub: TlsSubscription, auth: TlsSubscription['authorizations'][number]) => ({
    id: auth.id,
    type: 'tls_authorization',
    attributes: {
      state: tlsStateOf(state, sub) === 'issued' ? 'valid' : tlsStateOf(state, sub) === 'failed' ? 'failed' : 'pending',
      created_at: sub.created_at,
      updated_at: sub.created_at,
      warnings: null,
      challenges: [
        { type: 'managed-dns', record_type: 'CNAME', record_name: `_acme-challenge.${auth.domain}`, values: [`${auth.dnsToken}.fastly-validations.com`] },
        { type: 'managed-http-cname', record_type: 'CNAME', record_name: auth.domain, values: [`${auth.cnameLetter}.sni.global.fastly.net`] },
        { type: 'managed-http-a', record_type: 'A', record_name: auth.domain, values: ANYCAST_A },
      ],
    },
  });

  const view = (sub: TlsSubscription) => ({
    id: sub.id,
    type: 'tls_subscription',
    attributes: {
      state: tlsStateOf(state, sub),
      certificate_authority: sub.certificateAuthority,
      has_active_order: ['pending', 'processing'].includes(tlsStateOf(state, sub)),
      created_at: sub.created_at,
      updated_at: sub.created_at,
      deleted_at: null,
    },
    relationships: {
      tls_authorizations: { data: sub.authorizations.map((auth) => ({ type: 'tls_authorization', id: auth.id })) },
      tls_domains: { data: sub.domains.map((domain) => ({ type: 'tls_domain', id: domain })) },
      common_name: { data: { type: 'tls_domain', id: sub.domains[0] } },
      tls_configuration: { data: { type: 'tls_configuration', id: sub.configurationId } },
      tls_certificates: { data: tlsStateOf(state, sub) === 'issued' ? [{ type: 'tls_certificate', id: `${sub.id}-cert` }] : [] },
    },
  });

  // `include=tls_authorizations` adds the authorizations (with their DNS challenges) to `included`.
  const withIncluded = (c: Context, subs: TlsSubscription[]) =>
    (c.req.query('include') ?? '').split(',').some((part) => part.trim().startsWith('tls_authorizations'))
      ? { included: subs.flatMap((sub) => sub.authorizations.map((auth) => authorizationView(sub, auth))) }
      : {};

  const subscriptionOf = (c: Context<SimEnv>) => {
    const id = c.req.param('id') ?? '';
    const sub = state.tlsSubscriptions.get(id);
    // The recorded text (fastly/fixtures/tls_subscription/cleanup.yaml).
    if (!sub || sub.customerId !== c.get('account').customerId) throw jsonApiError(404, 'Not found', 'The subscription you requested was not found');
    return sub;
  };

  /**
   * A domain must be on an active version of one of the account's services (rust-lang/simpleinfra
   * 811), not claimed by another account, and in one subscription per account.
   */
  const checkDomains = (customerId: string, domains: string[], except?: string) => {
    for (const domain of domains) {
      if (!onActiveVersionOf(state, domain, customerId)) {
        throw jsonApiError(
          400,
          'The domain you entered was not found on one of your services',
          `Please add ${domain} to an active service to begin TLS enablement.`,
        );
      }
      const refusal = refusalFor(state, domain, customerId);
      if (refusal) throw jsonApiError(400, 'Bad request', refusalDetail(domain, refusal));
      const existing = [...state.tlsSubscriptions.values()].find((sub) => sub.id !== except && sub.customerId === customerId && sub.domains.includes(domain));
      if (existing) throw jsonApiError(409, 'Conflict', `Domain '${domain}' already has a TLS subscription ('${existing.id}')`);
    }
  };

  const authorizationsFor = (domains: string[]) =>
    domains.map((domain) => ({
      id: state.random.id(),
      domain,
      dnsToken: state.random.dnsLabel(24),
      cnameLetter: String.fromCharCode(97 + Math.floor(state.random.fraction() * 26)),
    }));

  /** A failure queued through /__sim/tls-failures hits the first subscription made for the domain. */
  const takeQueuedFailure = (domains: string[]) => {
    const queued = domains.filter((domain) => state.tlsFailures.has(domain));
    for (const domain of queued) state.tlsFailures.delete(domain);
    return queued.length > 0;
  };

  app.post('/tls/subscriptions', async (c) => {
    const input = await parseJsonApi(c, CreateSubscription);
    const customerId = c.get('account').customerId;
    const domains = [...new Set(domainsOf(input.data.relationships) ?? [])];
    checkDomains(customerId, domains);
    const sub: TlsSubscription = {
      id: state.random.id(),
      customerId,
      certificateAuthority: input.data.attributes.certificate_authority,
      configurationId: input.data.relationships.tls_configuration?.data.id ?? state.defaultTlsConfiguration(customerId),
      domains,
      startedAt: state.now(),
      failed: takeQueuedFailure(domains),
      authorizations: authorizationsFor(domains),
      created_at: state.timestamp(),
    };
    state.tlsSubscriptions.set(sub.id, sub);
    // The create answer always carries the authorizations (fastly/fixtures/tls_subscription/create.yaml).
    return jsonApi(c, { data: view(sub), included: sub.authorizations.map((auth) => authorizationView(sub, auth)) }, 201);
  });

  app.get('/tls/subscriptions', (c) => {
    const domain = c.req.query('filter[tls_domains.id]')?.toLowerCase();
    const wantedState = c.req.query('filter[state]');
    const subs = [...state.tlsSubscriptions.values()]
      .filter((sub) => sub.customerId === c.get('account').customerId)
      .filter((sub) => domain === undefined || sub.domains.includes(domain))
      .filter((sub) => wantedState === undefined || wantedState.split(',').includes(tlsStateOf(state, sub)));
    const pageSize = Math.max(1, Number(c.req.query('page[size]') ?? 20) || 20);
    const pageNumber = Math.max(1, Number(c.req.query('page[number]') ?? 1) || 1);
    const page = subs.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return jsonApi(c, {
      data: page.map(view),
      ...withIncluded(c, page),
      links: {},
      meta: { per_page: pageSize, current_page: pageNumber, record_count: subs.length, total_pages: Math.max(1, Math.ceil(subs.length / pageSize)) },
    });
  });

  app.get('/tls/subscriptions/:id', (c) => {
    const sub = subscriptionOf(c);
    return jsonApi(c, { data: view(sub), ...withIncluded(c, [sub]) });
  });

  // PATCH changes the domains or the CA (a new order), or with `attributes.state: "retry"` restarts
  // a failed subscription; a retry of one that has not failed changes nothing (unverified).
  app.patch('/tls/subscriptions/:id', async (c) => {
    const sub = subscriptionOf(c);
    const input = await parseJsonApi(c, PatchSubscription);
    const domains = domainsOf(input.data?.relationships);
    let restart = input.data?.attributes?.state === 'retry' && tlsStateOf(state, sub) === 'failed';
    if (domains) {
      checkDomains(sub.customerId, domains, sub.id);
      sub.domains = [...new Set(domains)];
      sub.authorizations = authorizationsFor(sub.domains);
      restart = true;
    }
    if (input.data?.attributes?.certificate_authority) {
      sub.certificateAuthority = input.data.attributes.certificate_authority;
      restart = true;
    }
    if (restart) {
      sub.startedAt = state.now();
      sub.failed = takeQueuedFailure(sub.domains);
    }
    return jsonApi(c, { data: view(sub), ...withIncluded(c, [sub]) });
  });

  // Refused while its domains are active (terraform-provider-fastly 888, 653, 1141), unless
  // `force=true`. Active = TLS-activated, which an issued certificate is here: a pending one on an
  // active service version was deleted without force (fastly/fixtures/tls_subscription/delete.yaml).
  app.delete('/tls/subscriptions/:id', (c) => {
    const sub = subscriptionOf(c);
    const activated = ['issued', 'renewing'].includes(tlsStateOf(state, sub));
    if (c.req.query('force') !== 'true' && activated) {
      throw jsonApiError(400, "Can't delete subscription", 'Subscription has active domains');
    }
    state.tlsSubscriptions.delete(sub.id);
    return c.body(null, 204);
  });

  return app;
}
