import { X509Certificate } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { jsonApiError } from './errors';
import { jsonApi, jsonApiPage } from './json-api';
import type { SimState, TlsCertificate } from './state';

// Custom TLS certificates (`/tls/certificates`, JSON:API): an uploaded certificate claims the
// names of its subjectAltName for the account until it is deleted (docs/fastly-facts.md, "TLS").
// Shapes from go-fastly's fixtures `fastly/fixtures/custom_tls/{create,list,delete-cert}.yaml`.

const CreateCertificate = z.object({
  data: z.object({
    type: z.literal('tls_certificate').optional(),
    attributes: z.object({ cert_blob: z.string().min(1), name: z.string().optional() }),
  }),
});

/** The DNS names a PEM certificate covers (its subjectAltName), or null when it is not one. */
function namesOf(pem: string): { names: string[]; issuedTo: string; issuer: string; serial: string; notBefore: string; notAfter: string } | null {
  try {
    const certificate = new X509Certificate(pem);
    const names = (certificate.subjectAltName ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4).toLowerCase());
    const commonName = (text: string) => /CN=([^\n,]+)/.exec(text)?.[1] ?? '';
    return {
      names,
      issuedTo: commonName(certificate.subject),
      issuer: commonName(certificate.issuer),
      serial: BigInt(`0x${certificate.serialNumber}`).toString(),
      notBefore: new Date(certificate.validFrom).toISOString(),
      notAfter: new Date(certificate.validTo).toISOString(),
    };
  } catch {
    return null;
  }
}

export function tlsCertificateRoutes(state: SimState) {
  const app = new Hono<SimEnv>();

  const view = (certificate: TlsCertificate) => ({
    id: certificate.id,
    type: 'tls_certificate',
    attributes: {
      created_at: certificate.created_at,
      issued_to: certificate.issuedTo,
      issuer: certificate.issuer,
      name: certificate.name,
      not_after: certificate.notAfter,
      not_before: certificate.notBefore,
      replace: false,
      serial_number: certificate.serialNumber,
      signature_algorithm: 'SHA256-RSA',
      updated_at: certificate.created_at,
    },
    relationships: { tls_domains: { data: certificate.domains.map((domain) => ({ id: domain, type: 'tls_domain' })) } },
  });

  const certificateOf = (c: Context<SimEnv>) => {
    const certificate = state.tlsCertificates.get(c.req.param('id') ?? '');
    // The subscriptions' recorded 404 text, for certificates (unverified).
    if (!certificate || certificate.customerId !== c.get('account').customerId)
      throw jsonApiError(404, 'Not found', 'The certificate you requested was not found');
    return certificate;
  };

  // Fastly wants the matching private key uploaded first (`/tls/private_keys`); not modelled.
  app.post('/tls/certificates', async (c) => {
    const input = await bodyOf(c, CreateCertificate, (detail) => jsonApiError(400, 'Bad request', detail));
    const parsed = namesOf(input.data.attributes.cert_blob);
    if (!parsed || parsed.names.length === 0) throw jsonApiError(400, 'Bad request', 'cert_blob is not a PEM certificate with DNS names in its subjectAltName');
    const certificate: TlsCertificate = {
      id: state.random.id(),
      customerId: c.get('account').customerId,
      name: input.data.attributes.name ?? parsed.issuedTo,
      domains: [...new Set(parsed.names)],
      issuedTo: parsed.issuedTo,
      issuer: parsed.issuer,
      serialNumber: parsed.serial,
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
      created_at: new Date(state.now()).toISOString(),
    };
    state.tlsCertificates.set(certificate.id, certificate);
    return jsonApi(c, { data: view(certificate) }, 201);
  });

  app.get('/tls/certificates', (c) => {
    const domain = c.req.query('filter[tls_domains.id]')?.toLowerCase();
    const all = [...state.tlsCertificates.values()]
      .filter((certificate) => certificate.customerId === c.get('account').customerId)
      .filter((certificate) => domain === undefined || certificate.domains.includes(domain));
    return jsonApiPage(c, all, view);
  });

  app.get('/tls/certificates/:id', (c) => jsonApi(c, { data: view(certificateOf(c)) }));

  // "TLS certificates already enabled for a domain cannot be destroyed" (API reference): its TLS
  // activations go first. The refusal's status and text are unverified (docs/fastly-facts.md, "TLS").
  app.delete('/tls/certificates/:id', (c) => {
    const certificate = certificateOf(c);
    if ([...state.tlsActivations.values()].some((activation) => activation.certificateId === certificate.id))
      throw jsonApiError(400, "Can't delete certificate", 'Certificate has active TLS activations');
    state.tlsCertificates.delete(certificate.id);
    return c.body(null, 204);
  });

  return app;
}
