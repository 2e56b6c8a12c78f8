import { Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import { badRequest, fastlyError } from './errors';
import { FaultsInput } from './faults';
import { Hostname } from './hostname';
import { recordReleases } from './ownership';
import type { SimState } from './state';
import { tlsStateOf } from './tls-progress';

const CreateAccount = z.object({ name: z.string().trim().min(1).max(255) });
const Hold = z.object({ domain: Hostname, account: z.string().min(1) });
const TlsFailure = z.object({ domain: Hostname });

/** What `GET /__sim/state` answers: plain JSON, so this type is also the type of the parsed body. */
export type SimStateDump = ReturnType<typeof dump>;

/** The state dump tests read: per service its versions (active, locked, domains, activations). */
function dump(state: SimState) {
  const now = state.now();
  return {
    now: new Date(now).toISOString(),
    accounts: [...state.accounts.values()].map(({ customerId, name, deleted }) => ({ customerId, name, deleted })),
    services: [...state.services.values()].map((service) => ({
      id: service.id,
      customerId: service.customerId,
      name: service.name,
      type: service.type,
      versions: service.versions.map((version) => ({
        number: version.number,
        active: version.active,
        locked: version.locked,
        activations: version.activations,
        domains: version.domains.map((domain) => domain.name),
        backends: version.backends.map((backend) => backend.name),
        package: version.package ? { hashsum: version.package.hashsum, size: version.package.size } : null,
        resources: version.resources.map(({ id, name, resource_id }) => ({ id, name, resourceId: resource_id })),
      })),
    })),
    configStores: [...state.configStores.values()].map((store) => ({
      id: store.id,
      customerId: store.customerId,
      name: store.name,
      items: Object.fromEntries([...store.items].map(([key, item]) => [key, item.value])),
    })),
    tlsSubscriptions: [...state.tlsSubscriptions.values()].map((sub) => ({
      id: sub.id,
      customerId: sub.customerId,
      domains: sub.domains,
      state: tlsStateOf(state, sub),
    })),
    tlsCertificates: [...state.tlsCertificates.values()].map(({ id, customerId, name, domains }) => ({ id, customerId, name, domains })),
    tlsActivations: [...state.tlsActivations.values()].map(({ id, customerId, certificateId, domain }) => ({ id, customerId, certificateId, domain })),
    managedDomains: [...state.managedDomains.values()].map(({ id, customerId, fqdn, service_id }) => ({ id, customerId, fqdn, serviceId: service_id })),
    holds: Object.fromEntries(state.holds),
    releases: state.releases
      .filter((release) => release.until > now)
      .map((release) => ({ domain: release.domain, customerId: release.customerId, until: new Date(release.until).toISOString() })),
    purges: state.purges,
    faults: state.faults,
    requests: state.requestLog,
  };
}

/** The control API under /__sim/: accounts, holds, faults, TLS failures, the state dump. Never faulted or limited. */
export function controlRoutes(state: SimState) {
  const app = new Hono();

  app.post('/accounts', async (c) => {
    const input = await bodyOf(c, CreateAccount);
    const account = state.createAccount(input.name);
    return c.json({ customerId: account.customerId, name: account.name, token: account.tokens[0] }, 201);
  });

  app.post('/accounts/:customerId/tokens', (c) => {
    const account = state.accounts.get(c.req.param('customerId'));
    if (!account || account.deleted) throw fastlyError(404, 'Record not found', 'No such account');
    const token = state.random.id(32);
    account.tokens.push(token);
    return c.json({ customerId: account.customerId, token }, 201);
  });

  // Deleting an account lets go of everything it held: the release delay applies.
  app.delete('/accounts/:customerId', (c) => {
    const account = state.accounts.get(c.req.param('customerId'));
    if (!account || account.deleted) throw fastlyError(404, 'Record not found', 'No such account');
    account.deleted = true;
    recordReleases(state);
    return c.json({ status: 'ok' });
  });

  app.post('/holds', async (c) => {
    const input = await bodyOf(c, Hold);
    const account = state.accounts.get(input.account);
    if (!account || account.deleted) throw badRequest(`No account '${input.account}'`);
    state.holds.set(input.domain, account.customerId);
    recordReleases(state);
    return c.json({ domain: input.domain, account: account.customerId }, 201);
  });

  app.delete('/holds/:domain', (c) => {
    const domain = c.req.param('domain').toLowerCase();
    if (!state.holds.delete(domain)) throw fastlyError(404, 'Record not found', `No hold on '${domain}'`);
    recordReleases(state);
    const release = state.releases.find((candidate) => candidate.domain === domain);
    return c.json({ domain, releasedAt: release ? new Date(release.until).toISOString() : null });
  });

  app.post('/faults', async (c) => {
    state.faults = await bodyOf(c, FaultsInput);
    return c.json(state.faults);
  });

  app.post('/tls-failures', async (c) => {
    const input = await bodyOf(c, TlsFailure);
    // The current subscription fails now; with none yet, the next one created for the domain will.
    const current = [...state.tlsSubscriptions.values()].filter((sub) => sub.domains.includes(input.domain));
    for (const sub of current) sub.failed = true;
    if (current.length === 0) state.tlsFailures.add(input.domain);
    return c.json({ domain: input.domain, failed: current.map((sub) => sub.id) }, 201);
  });

  app.get('/state', (c) => c.json(dump(state)));

  // The purges from position `since` on, for a local edge playing Fastly's caches (the state dump is too big to poll).
  app.get('/purges', (c) => {
    const since = Number(c.req.query('since') ?? '0');
    const from = Number.isInteger(since) && since >= 0 ? since : 0;
    return c.json({ purges: state.purges.slice(from), next: state.purges.length });
  });

  return app;
}
