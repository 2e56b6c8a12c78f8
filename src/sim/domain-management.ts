import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { readBody } from './body';
import type { SimEnv } from './env';
import { problemError } from './errors';
import { Hostname } from './hostname';
import { refusalDetail, refusalFor } from './ownership';
import type { ManagedDomain, SimState } from './state';
import { activeVersion } from './views';

const CreateDomain = z.object({
  fqdn: Hostname,
  service_id: z.string().min(1).nullable().optional(),
  description: z.string().max(255).nullable().optional(),
});
const UpdateDomain = z.object({ service_id: z.string().min(1).nullable().optional(), description: z.string().max(255).nullable().optional() });

async function parse<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await readBody(c);
  } catch {
    throw problemError(400, 'Bad Request', 'The body is not valid JSON');
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw problemError(400, 'Bad Request', `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return result.data;
}

/**
 * Domain Management v1: versionless domains, which claim their name for the account while they
 * exist. Errors use problem details (the shape of Fastly's newer APIs; the exact text is unverified,
 * so it reuses the classic wording).
 */
export function domainManagementRoutes(state: SimState) {
  const app = new Hono<SimEnv>();
  const base = '/domain-management/v1/domains';

  const view = (domain: ManagedDomain) => {
    const service = domain.service_id ? state.services.get(domain.service_id) : undefined;
    return {
      id: domain.id,
      fqdn: domain.fqdn,
      service_id: domain.service_id,
      description: domain.description,
      // Serving traffic needs a linked service with an active version.
      activated: service ? activeVersion(service) !== null : false,
      // DNS is never checked here: every domain counts as verified.
      verified: true,
      created_at: domain.created_at,
      updated_at: domain.updated_at,
    };
  };

  const domainOf = (c: Context<SimEnv>) => {
    const id = c.req.param('domainId') ?? '';
    const domain = state.managedDomains.get(id);
    if (!domain || domain.customerId !== c.get('account').customerId) throw problemError(404, 'Not Found', `Couldn't find domain '${id}'`);
    return domain;
  };

  const checkService = (customerId: string, serviceId: string | null | undefined) => {
    if (!serviceId) return;
    const service = state.services.get(serviceId);
    if (!service || service.customerId !== customerId) throw problemError(400, 'Bad Request', `Couldn't find service '${serviceId}'`);
  };

  app.post(base, async (c) => {
    const input = await parse(c, CreateDomain);
    const customerId = c.get('account').customerId;
    checkService(customerId, input.service_id);
    const mine = [...state.managedDomains.values()].find((domain) => domain.customerId === customerId && domain.fqdn === input.fqdn);
    if (mine) throw problemError(409, 'Conflict', `Domain '${input.fqdn}' already exists ('${mine.id}')`);
    const refusal = refusalFor(state, input.fqdn, customerId, input.service_id ?? undefined);
    if (refusal) throw problemError(400, 'Bad Request', refusalDetail(input.fqdn, refusal));
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
    return c.json({ data: page.map(view), meta: { limit, total: all.length, next_cursor: next } });
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

  app.delete(`${base}/:domainId`, (c) => {
    state.managedDomains.delete(domainOf(c).id);
    return c.body(null, 204);
  });

  return app;
}
