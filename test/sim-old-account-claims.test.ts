import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFastlyApiClient } from '../src/fastly/api-client';
import * as Fastly from '../src/fastly/fastly-classes';
import { type FastlyApis, failureOf, type SimHarness, startSimHarness } from './support/sim-harness';

// Issue 12: every kind of claim an old account keeps on a domain (a domain on an active version, a
// TLS subscription, an uploaded certificate, a Domain Management record, a wildcard or a parent)
// is created, listed and removed with the old account's token through Fastly's API, and the
// domain stays refused to other accounts for the release delay after the last one goes.

const RELEASE_DELAY_MS = 60_000;
const TLS_DELAY_MS = 1_000;
const CERTIFICATE = readFileSync(new URL('./support/old-account-certificate.pem', import.meta.url), 'utf8'); // SAN files.toot.example, *.toot.example

let h: SimHarness;
let old: { customerId: string; token: string; fastly: FastlyApis };
beforeEach(async () => {
  h = await startSimHarness({ releaseDelayMs: RELEASE_DELAY_MS, tlsDelayMs: TLS_DELAY_MS });
  old = await h.createAccount('old');
});
afterEach(() => h.sim.close());

const certificates = (token: string) => new Fastly.TlsCertificatesApi(createFastlyApiClient(token, h.sim.url));
const activations = (token: string) => new Fastly.TlsActivationsApi(createFastlyApiClient(token, h.sim.url));

/** Enables the uploaded certificate for `domain` (a TLS activation), with the old token. */
function activate(certificateId: string, domain: string) {
  return activations(old.token).createTlsActivation({
    tls_activation: {
      data: {
        type: 'tls_activation',
        relationships: { tls_certificate: { data: { type: 'tls_certificate', id: certificateId } }, tls_domain: { data: { type: 'tls_domain', id: domain } } },
      },
    },
  });
}

async function managedDomains(token: string, method: string, path = '', body?: unknown) {
  const response = await fetch(`${h.sim.url}/domain-management/v1/domains${path}`, {
    method,
    headers: { 'fastly-key': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

/** What the new (default) account gets when it adds `domain` to a draft: Fastly's detail, or `added`. */
async function newAccountAdds(domain: string): Promise<string> {
  const service = await h.fastly.services.createService({ name: `new ${domain}`, type: 'vcl' });
  try {
    await h.fastly.domains.createDomain({ service_id: service.id, version_id: 1, name: domain });
    return 'added';
  } catch (error: any) {
    return error.response?.body?.detail ?? String(error);
  }
}

const refused = (domain: string) => `Domain '${domain}' is owned by another customer`;

async function oldServiceWith(...domains: string[]) {
  const service = await old.fastly.services.createService({ name: 'toot', type: 'vcl' });
  for (const name of domains) await old.fastly.domains.createDomain({ service_id: service.id, version_id: 1, name });
  await old.fastly.versions.activateServiceVersion({ service_id: service.id, version_id: 1 });
  return service;
}

async function subscribe(domain: string) {
  return old.fastly.tls.createTlsSub({
    tls_subscription: {
      data: {
        type: 'tls_subscription',
        attributes: { certificate_authority: 'lets-encrypt' },
        relationships: { tls_domains: { data: [{ type: 'tls_domain', id: domain }] } },
      },
    },
  });
}

async function uploadCertificate() {
  const { response } = await certificates(old.token).createTlsCertWithHttpInfo({
    tls_certificate: { data: { type: 'tls_certificate', attributes: { cert_blob: CERTIFICATE, name: 'files' } } },
  });
  return response.body.data;
}

/** Clones the active version without `names` and activates the clone (Fastly's way to remove a live domain). */
async function removeFromService(serviceId: string, active: number, ...names: string[]) {
  const clone = await old.fastly.versions.cloneServiceVersion({ service_id: serviceId, version_id: active });
  for (const name of names) await old.fastly.domains.deleteDomain({ service_id: serviceId, version_id: clone.number, domain_name: name });
  await old.fastly.versions.activateServiceVersion({ service_id: serviceId, version_id: clone.number });
}

describe("an old account's claims (issue 12)", () => {
  it("holds the domains through every claim until the last goes in Fastly's order; the release delay starts then", async () => {
    const service = await oldServiceWith('toot.example', 'files.toot.example');
    const subscription = await subscribe('toot.example');
    h.clock.advance(2 * TLS_DELAY_MS); // issued: the subscription's domains are now TLS-active
    const record = await managedDomains(old.token, 'POST', '', { fqdn: 'toot.example', service_id: service.id });
    expect(record.status).toBe(201);
    const certificate = await uploadCertificate();

    // The old token lists each claim.
    const active = (await old.fastly.services.listServices({})).map((entry: any) => [entry.id, entry.version]);
    expect(active).toEqual([[service.id, 1]]);
    expect((await old.fastly.domains.listDomains({ service_id: service.id, version_id: 1 })).map((d: any) => d.name)).toEqual([
      'toot.example',
      'files.toot.example',
    ]);
    expect((await old.fastly.tls.listTlsSubsWithHttpInfo({ filter_tls_domains_id: 'toot.example' })).response.body.data.map((s: any) => s.id)).toEqual([
      subscription.data.id,
    ]);
    expect((await certificates(old.token).listTlsCerts({ filter_tls_domains_id: 'files.toot.example' })).data.map((c: any) => c.id)).toEqual([certificate.id]);
    expect((await managedDomains(old.token, 'GET', '?fqdn=toot.example')).body.data.map((d: any) => d.id)).toEqual([record.body.id]);
    expect(await newAccountAdds('toot.example')).toBe(refused('toot.example'));

    // TLS subscription: refused without force while its domain is TLS-active, gone with it.
    const unforced = await failureOf(old.fastly.tls.deleteTlsSub({ tls_subscription_id: subscription.data.id }));
    expect([unforced.status, unforced.body.errors[0].detail]).toEqual([400, 'Subscription has active domains']);
    const forced = await fetch(`${h.sim.url}/tls/subscriptions/${subscription.data.id}?force=true`, { method: 'DELETE', headers: { 'fastly-key': old.token } });
    expect(forced.status).toBe(204);
    expect((await old.fastly.tls.listTlsSubsWithHttpInfo({})).response.body.data).toEqual([]);
    expect(await newAccountAdds('toot.example')).toBe(refused('toot.example'));

    // The uploaded certificate.
    await certificates(old.token).deleteTlsCert({ tls_certificate_id: certificate.id });
    expect((await certificates(old.token).listTlsCerts({})).data).toEqual([]);
    expect(await newAccountAdds('files.toot.example')).toBe(refused('files.toot.example'));

    // The domains, out of a new version that is then activated.
    await removeFromService(service.id, 1, 'toot.example', 'files.toot.example');
    expect(await old.fastly.domains.listDomains({ service_id: service.id, version_id: 2 })).toEqual([]);
    h.clock.advance(RELEASE_DELAY_MS + 1);
    // The Domain Management record still claims toot.example, and as its parent files.toot.example.
    expect(await newAccountAdds('toot.example')).toBe(refused('toot.example'));
    expect(await newAccountAdds('files.toot.example')).toBe(refused('files.toot.example'));

    // The last claim: the Domain Management record. The release delay runs from here.
    expect((await managedDomains(old.token, 'DELETE', `/${record.body.id}`)).status).toBe(204);
    expect((await managedDomains(old.token, 'GET')).body.data).toEqual([]);
    h.clock.advance(RELEASE_DELAY_MS - 1);
    expect(await newAccountAdds('toot.example')).toBe(refused('toot.example'));
    h.clock.advance(1);
    expect(await newAccountAdds('toot.example')).toBe('added');
    expect(await newAccountAdds('files.toot.example')).toBe('added');
    const state = await h.state();
    expect(state.tlsCertificates).toEqual([]);
    expect(state.releases).toEqual([]);
  });

  it('holds every subdomain through a wildcard on an active version, until a new version without it is activated', async () => {
    const service = await oldServiceWith('*.toot.example');
    expect(await newAccountAdds('files.toot.example')).toBe(refused('files.toot.example'));
    expect(await newAccountAdds('toot.example')).toBe('added'); // a wildcard does not cover its parent
    await removeFromService(service.id, 1, '*.toot.example');
    expect(await newAccountAdds('files.toot.example')).toBe(refused('files.toot.example'));
    h.clock.advance(RELEASE_DELAY_MS);
    expect(await newAccountAdds('files.toot.example')).toBe('added');
  });

  it('holds a subdomain through its parent on an active version', async () => {
    const service = await oldServiceWith('toot.example');
    expect(await newAccountAdds('files.toot.example')).toBe(refused('files.toot.example'));
    await removeFromService(service.id, 1, 'toot.example');
    h.clock.advance(RELEASE_DELAY_MS);
    expect(await newAccountAdds('files.toot.example')).toBe('added');
  });

  it('takes an uploaded certificate from its PEM, in the recorded shape, and lets it claim its names until deleted', async () => {
    const created = await uploadCertificate();
    expect(created).toMatchObject({
      type: 'tls_certificate',
      attributes: { name: 'files', issued_to: 'files.toot.example', issuer: 'files.toot.example', replace: false },
      relationships: {
        tls_domains: {
          data: [
            { id: 'files.toot.example', type: 'tls_domain' },
            { id: '*.toot.example', type: 'tls_domain' },
          ],
        },
      },
    });
    expect(created.attributes.not_after > created.attributes.not_before).toBe(true);
    // A certificate needs no service: its names are claimed by upload alone; the wildcard covers www.
    expect(await newAccountAdds('www.toot.example')).toBe(refused('www.toot.example'));
    expect((await certificates(old.token).getTlsCert({ tls_certificate_id: created.id })).data.id).toBe(created.id);
    // Another account neither sees nor deletes it.
    const otherDelete = await failureOf(certificates(h.sim.defaultAccount.token).deleteTlsCert({ tls_certificate_id: created.id }));
    expect(otherDelete.status).toBe(404);

    await certificates(old.token).deleteTlsCert({ tls_certificate_id: created.id });
    expect(await newAccountAdds('www.toot.example')).toBe(refused('www.toot.example'));
    h.clock.advance(RELEASE_DELAY_MS);
    expect(await newAccountAdds('www.toot.example')).toBe('added');
  });

  it('keeps an activated certificate and its names until every activation of it is deleted', async () => {
    const service = await oldServiceWith('files.toot.example', 'www.toot.example');
    const certificate = await uploadCertificate();
    const files = await activate(certificate.id, 'files.toot.example');
    const www = await activate(certificate.id, 'www.toot.example'); // through the certificate's wildcard
    expect(files.data.relationships.tls_domain.data.id).toBe('files.toot.example');
    expect(files.data.relationships.tls_certificate.data.id).toBe(certificate.id);

    // One activation per domain; only for a domain a service of the account holds; Fastly's texts.
    const again = await failureOf(activate(certificate.id, 'files.toot.example'));
    expect([again.status, again.body.errors[0].detail]).toEqual([400, 'domain_id has already been taken']);
    const unserved = await failureOf(activate(certificate.id, 'api.toot.example'));
    expect([unserved.status, unserved.body.errors[0].title]).toEqual([400, 'The domain you entered was not found on one of your services']);
    const missing = await failureOf(activate('', 'files.toot.example'));
    expect(missing.body.errors[0]).toEqual({ title: 'Missing required attribute', detail: 'param is missing or the value is empty: tls_certificate_id' });

    // Listed with Fastly's filters, to the old account only.
    const ids = async (options: Record<string, string>, token = old.token) =>
      (await activations(token).listTlsActivations(options)).data.map((activation: any) => activation.id).sort();
    expect(await ids({ filter_tls_certificate_id: certificate.id })).toEqual([files.data.id, www.data.id].sort());
    expect(await ids({ filter_tls_domain_id: 'www.toot.example' })).toEqual([www.data.id]);
    expect(await ids({ filter_tls_certificate_id: 'another-certificate' })).toEqual([]);
    expect(await ids({ page_size: '1', page_number: '2' })).toHaveLength(1);
    expect(await ids({}, h.sim.defaultAccount.token)).toEqual([]);

    // The certificate goes only after its activations; meanwhile its names stay claimed.
    const refusedDelete = await failureOf(certificates(old.token).deleteTlsCert({ tls_certificate_id: certificate.id }));
    expect([refusedDelete.status, refusedDelete.body.errors[0].title]).toEqual([400, "Can't delete certificate"]);
    await removeFromService(service.id, 1, 'files.toot.example', 'www.toot.example');
    h.clock.advance(RELEASE_DELAY_MS);
    expect(await newAccountAdds('files.toot.example')).toBe(refused('files.toot.example'));
    await activations(old.token).deleteTlsActivation({ tls_activation_id: files.data.id });
    expect(await ids({})).toEqual([www.data.id]);
    expect((await failureOf(certificates(old.token).deleteTlsCert({ tls_certificate_id: certificate.id }))).status).toBe(400);
    await activations(old.token).deleteTlsActivation({ tls_activation_id: www.data.id });
    await certificates(old.token).deleteTlsCert({ tls_certificate_id: certificate.id });
    expect((await h.state()).tlsActivations).toEqual([]);
    expect(await newAccountAdds('www.toot.example')).toBe(refused('www.toot.example'));
    h.clock.advance(RELEASE_DELAY_MS);
    expect(await newAccountAdds('www.toot.example')).toBe('added');
  });

  it('refuses a certificate that is not a PEM with DNS names, in the JSON:API error shape', async () => {
    const failure = await failureOf(
      certificates(old.token).createTlsCert({ tls_certificate: { data: { type: 'tls_certificate', attributes: { cert_blob: 'not a certificate' } } } }),
    );
    expect(failure.status).toBe(400);
    expect(failure.body.errors[0].title).toBe('Bad request');
  });
});
