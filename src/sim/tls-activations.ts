import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { jsonApiError } from './errors';
import { Hostname } from './hostname';
import { jsonApi, jsonApiPage } from './json-api';
import { onActiveVersionOf } from './ownership';
import type { SimState, TlsActivation } from './state';

// TLS activations (`/tls/activations`, JSON:API): an uploaded certificate enabled for one domain.
// The domain stays claimed while activated, and the certificate cannot be deleted until its
// activations are (docs/fastly-facts.md, "TLS"). Shapes from go-fastly's fixtures
// `fastly/fixtures/custom_tls_activation/{create,list,delete}.yaml`. A subscription's own
// activation (Fastly makes one when it issues) is not listed here: its `issued` state stands for it.

const Reference = z.object({ data: z.object({ type: z.string().optional(), id: z.string().optional() }).nullish() });

const CreateActivation = z.object({
  data: z.object({
    type: z.literal('tls_activation').optional(),
    relationships: z.object({ tls_certificate: Reference.optional(), tls_configuration: Reference.optional(), tls_domain: Reference.optional() }),
  }),
});

/** Whether a certificate naming `names` covers `domain`: the name itself, or its parent's wildcard. */
function covers(names: readonly string[], domain: string): boolean {
  const parent = domain.split('.').slice(1).join('.');
  return names.includes(domain) || (parent.includes('.') && names.includes(`*.${parent}`));
}

export function tlsActivationRoutes(state: SimState) {
  const app = new Hono<SimEnv>();

  const view = (activation: TlsActivation) => ({
    id: activation.id,
    type: 'tls_activation',
    attributes: { created_at: activation.created_at },
    relationships: {
      tls_certificate: { data: { id: activation.certificateId, type: 'tls_certificate' } },
      tls_configuration: { data: { id: activation.configurationId, type: 'tls_configuration' } },
      tls_domain: { data: { id: activation.domain, type: 'tls_domain' } },
    },
  });

  const activationOf = (c: Context<SimEnv>) => {
    const activation = state.tlsActivations.get(c.req.param('id') ?? '');
    // The subscriptions' recorded 404 text, for activations (unverified).
    if (!activation || activation.customerId !== c.get('account').customerId)
      throw jsonApiError(404, 'Not found', 'The activation you requested was not found');
    return activation;
  };

  app.post('/tls/activations', async (c) => {
    const input = await bodyOf(c, CreateActivation, (detail) => jsonApiError(400, 'Bad request', detail));
    const customerId = c.get('account').customerId;
    const { tls_certificate, tls_configuration, tls_domain } = input.data.relationships;
    // terraform-provider-fastly 1197 recorded this answer for a missing certificate.
    const certificateId = tls_certificate?.data?.id;
    if (!certificateId) throw jsonApiError(400, 'Missing required attribute', 'param is missing or the value is empty: tls_certificate_id');
    const parsedDomain = Hostname.safeParse(tls_domain?.data?.id ?? '');
    if (!parsedDomain.success) throw jsonApiError(400, 'Missing required attribute', 'param is missing or the value is empty: tls_domain_id');
    const domain = parsedDomain.data;
    const certificate = state.tlsCertificates.get(certificateId);
    if (!certificate || certificate.customerId !== customerId) throw jsonApiError(404, 'Not found', 'The certificate you requested was not found');
    // Unverified texts: the certificate must name the domain, and a service of the account hold it.
    if (!covers(certificate.domains, domain)) throw jsonApiError(400, 'Bad request', `The certificate does not cover ${domain}`);
    if (!onActiveVersionOf(state, domain, customerId)) {
      throw jsonApiError(
        400,
        'The domain you entered was not found on one of your services',
        `Please add ${domain} to an active service to begin TLS enablement.`,
      );
    }
    // One activation per domain (terraform-provider-fastly PR 1345).
    if ([...state.tlsActivations.values()].some((activation) => activation.customerId === customerId && activation.domain === domain))
      throw jsonApiError(400, 'Bad request', 'domain_id has already been taken');
    const activation: TlsActivation = {
      id: state.random.id(),
      customerId,
      certificateId,
      configurationId: tls_configuration?.data?.id ?? state.defaultTlsConfiguration(customerId),
      domain,
      created_at: new Date(state.now()).toISOString(),
    };
    state.tlsActivations.set(activation.id, activation);
    // The recorded create answers 200 (fastly/fixtures/custom_tls_activation/create.yaml).
    return jsonApi(c, { data: view(activation) });
  });

  app.get('/tls/activations', (c) => {
    const certificate = c.req.query('filter[tls_certificate.id]');
    const configuration = c.req.query('filter[tls_configuration.id]');
    const domain = c.req.query('filter[tls_domain.id]')?.toLowerCase();
    const all = [...state.tlsActivations.values()]
      .filter((activation) => activation.customerId === c.get('account').customerId)
      .filter((activation) => certificate === undefined || activation.certificateId === certificate)
      .filter((activation) => configuration === undefined || activation.configurationId === configuration)
      .filter((activation) => domain === undefined || activation.domain === domain);
    return jsonApiPage(c, all, view);
  });

  app.get('/tls/activations/:id', (c) => jsonApi(c, { data: view(activationOf(c)) }));

  // "Disable TLS on a domain": recorded as 200 `{}` (fastly/fixtures/custom_tls_activation/delete.yaml).
  app.delete('/tls/activations/:id', (c) => {
    state.tlsActivations.delete(activationOf(c).id);
    return jsonApi(c, {});
  });

  return app;
}
