import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { domainManagementError } from './errors';
import { Hostname } from './hostname';
import { refusalDetail, refusalFor } from './ownership';
import type { ManagedDomain, SimState } from './state';
import { tlsStateOf } from './tls-progress';

const CreateDomain = z.object({
  fqdn: Hostname,
  service_id: z.string().min(1).nullable().optional(),
  description: z.string().max(255).nullable().optional(),
});
const UpdateDomain = z.object({ service_id: z.string().min(1).nullable().optional(), description: z.string().max(255).nullable().optional() });

const parse = <T extends z.ZodType>(c: Context, schema: T) => bodyOf(c, schema, (detail) => domainManagementError(400, 'Bad Request', detail));

/**
 * Domain Management v1: versionless domains, which claim their name for the account while they
 * exist. Errors are `{"errors":[{title, detail}]}` in `application/json`
 * (fastly/domainmanagement/v1/domains/fixtures/create_duplicate.yaml); texts other than the
 * duplicate's are unverified.
 */
export function domainManagementRoutes(state: SimState) {
  const app = new Hono<SimEnv>();
  const base = '/domain-management/v1/domains';

  /** An issued Fastly-managed certificate of the account covers the domain. */
  const certified = (domain: ManagedDomain) =>
    [...state.tlsSubscriptions.values()].some(
      (sub) => sub.customerId === domain.customerId && sub.domains.includes(domain.fqdn) && tlsStateOf(state, sub) === 'issued',
    );

  const view = (domain: ManagedDomain) => {
    const issued = certified(domain);
    return {
      id: domain.id,
      created_at: domain.created_at,
      fqdn: domain.fqdn,
      updated_at: domain.updated_at,
      service_id: domain.service_id,
      // API reference: `activated` = the domain has at least one TLS activation (here: the issued
      // certificate is activated at once); `verified` = ownership proven by obtaining a
      // Fastly-managed certificate for it.
      activated: issued,
      verified: issued,
      description: domain.description,
    };
  };

  const domainOf = (c: Context<SimEnv>) => {
    const id = c.req.param('domainId') ?? '';
    const domain = state.managedDomains.get(id);
    if (!domain || domain.customerId !== c.get('account').customerId) throw domainManagementError(404, 'Not Found', `Couldn't find domain '${id}'`);
    return domain;
  };

  const checkService = (customerId: string, serviceId: string | null | undefined) => {
    if (!serviceId) return;
    const service = state.services.get(serviceId);
    if (!service || service.customerId !== customerId) throw domainManagementError(400, 'Bad Request', `Couldn't find service '${serviceId}'`);
  };

  app.post(base, async (c) => {
    const input = await parse(c, CreateDomain);
    const customerId = c.get('account').customerId;
    checkService(customerId, input.service_id);
    const mine = [...state.managedDomains.values()].some((domain) => domain.customerId === customerId && domain.fqdn === input.fqdn);
    if (mine) throw domainManagementError(400, 'Invalid value for fqdn', 'fqdn has already been taken');
    const refusal = refusalFor(state, input.fqdn, customerId, input.service_id ?? undefined);
    if (refusal) throw domainManagementError(400, 'Invalid value for fqdn', refusalDetail(input.fqdn, refusal));
    const now = state.timestamp();
    const domain: ManagedDomain = {
      id: state.random.id(),
      customerId,
      fqdn: input.fqdn,
      service_id: input.service_id ?? null,
      description: input.description ?? null,
      created_at: now,
      updated_at: now,
    };
    state.managedDomains.set(domain.id, domain);
    return c.json(view(domain), 201);
  });

  app.get(base, (c) => {
    const fqdn = c.req.query('fqdn')?.toLowerCase();
    const serviceId = c.req.query('service_id');
    const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? 20) || 20));
    const all = [...state.managedDomains.values()]
      .filter((domain) => domain.customerId === c.get('account').customerId)
      .filter((domain) => fqdn === undefined || domain.fqdn === fqdn)
      .filter((domain) => serviceId === undefined || domain.service_id === serviceId);
    const start = Math.max(0, Number(c.req.query('cursor') ?? 0) || 0);
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : null;
    // meta as recorded (fastly/domainmanagement/v1/domains/fixtures/list.yaml), next_cursor only when there is a next page.
    return c.json({ data: page.map(view), meta: { total: all.length, limit, ...(next ? { next_cursor: next } : {}) } });
  });

  app.get(`${base}/:domainId`, (c) => c.json(view(domainOf(c))));

  app.patch(`${base}/:domainId`, async (c) => {
    const domain = domainOf(c);
    const input = await parse(c, UpdateDomain);
    if (input.service_id !== undefined) {
      checkService(domain.customerId, input.service_id);
      domain.service_id = input.service_id;
    }
    if (input.description !== undefined) domain.description = input.description;
    domain.updated_at = state.timestamp();
    return c.json(view(domain));
  });

  // terraform-provider-fastly 1141: a domain in a TLS subscription is not deleted before the subscription.
  app.delete(`${base}/:domainId`, (c) => {
    const domain = domainOf(c);
    const subscriptions = [...state.tlsSubscriptions.values()].filter((sub) => sub.customerId === domain.customerId && sub.domains.includes(domain.fqdn));
    if (subscriptions.length > 0) {
      const ids = subscriptions.map((sub) => sub.id).join(', ');
      throw domainManagementError(
        400,
        'Invalid value for subscriptions',
        `This domain is linked to the following Fastly-managed TLS subscription(s): ${ids}. Remove the subscription(s) before deleting this domain.`,
      );
    }
    state.managedDomains.delete(domain.id);
    return c.body(null, 204);
  });

  return app;
}
