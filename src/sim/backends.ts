import { isIP } from 'node:net';
import { Hono } from 'hono';
import { z } from 'zod';
import { bodyOf, formBoolean, formInteger } from './body';
import type { SimEnv } from './env';
import { fastlyError, notFound } from './errors';
import { editableVersion, serviceOf, touch, versionOf } from './lookups';
import type { Backend, SimState } from './state';
import { backendView } from './views';

const optionalText = z.string().trim().min(1).optional();

// The fields docs/fastly-facts.md lists, with Fastly's defaults (timeouts in milliseconds).
const BackendFields = z.object({
  name: z.string().trim().min(1, 'Name is required').max(255),
  address: z.string().trim().min(1, 'Address is required').max(255),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  use_ssl: formBoolean.optional(),
  override_host: optionalText,
  ssl_cert_hostname: optionalText,
  ssl_sni_hostname: optionalText,
  ssl_check_cert: formBoolean.optional(),
  connect_timeout: formInteger.optional(),
  first_byte_timeout: formInteger.optional(),
  between_bytes_timeout: formInteger.optional(),
  shield: optionalText,
  healthcheck: optionalText,
  weight: z.coerce.number().int().min(1).max(100).optional(),
  max_conn: formInteger.optional(),
  comment: z.string().optional(),
});

/** On update, an empty text field clears it, as Fastly does. */
const clearableText = z
  .string()
  .trim()
  .max(255)
  .transform((value) => (value === '' ? null : value))
  .optional();
const UpdateFields = BackendFields.partial().extend({
  override_host: clearableText,
  ssl_cert_hostname: clearableText,
  ssl_sni_hostname: clearableText,
});
type BackendInput = z.infer<typeof UpdateFields>;

function apply(backend: Backend, input: BackendInput): void {
  for (const [key, value] of Object.entries(input)) if (value !== undefined) (backend as unknown as Record<string, unknown>)[key] = value;
}

/** The response shows the address split as Fastly does: `hostname` or `ipv4`/`ipv6`. */
function addressFields(address: string) {
  const family = isIP(address);
  return { hostname: family === 0 ? address : null, ipv4: family === 4 ? address : null, ipv6: family === 6 ? address : null };
}

/** Backends of a version: create, list, get, update, delete (only on drafts for writes). */
export function backendRoutes(state: SimState) {
  const app = new Hono<SimEnv>();
  const base = '/service/:serviceId/version/:version/backend';
  const view = (service: Parameters<typeof backendView>[0], version: Parameters<typeof backendView>[1], backend: Backend) => ({
    ...backendView(service, version, backend),
    ...addressFields(backend.address),
  });

  app.get(base, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = versionOf(service, c.req.param('version'));
    return c.json(version.backends.map((backend) => view(service, version, backend)));
  });

  app.post(base, async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    const input = await bodyOf(c, BackendFields);
    if (version.backends.some((backend) => backend.name === input.name)) throw fastlyError(409, 'Duplicate record', `Duplicate backend '${input.name}'`);
    const now = state.timestamp();
    const backend: Backend = {
      name: input.name,
      address: input.address,
      port: input.port ?? (input.use_ssl ? 443 : 80),
      use_ssl: false,
      override_host: null,
      ssl_cert_hostname: null,
      ssl_sni_hostname: null,
      ssl_check_cert: true,
      connect_timeout: 1000,
      first_byte_timeout: 15000,
      between_bytes_timeout: 10000,
      shield: null,
      healthcheck: null,
      weight: 100,
      max_conn: 200,
      comment: '',
      created_at: now,
      updated_at: now,
    };
    apply(backend, { ...input, port: backend.port });
    version.backends.push(backend);
    touch(state, service, version);
    return c.json(view(service, version, backend));
  });

  const find = (c: { req: { param(name: string): string } }, versionBackends: Backend[]) => {
    const name = c.req.param('name');
    const backend = versionBackends.find((candidate) => candidate.name === name);
    if (!backend) throw notFound(`Couldn't find Backend '${name}'`);
    return backend;
  };

  app.get(`${base}/:name`, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = versionOf(service, c.req.param('version'));
    return c.json(view(service, version, find(c, version.backends)));
  });

  app.put(`${base}/:name`, async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    const backend = find(c, version.backends);
    const input = await bodyOf(c, UpdateFields);
    if (input.name !== undefined && input.name !== backend.name && version.backends.some((other) => other.name === input.name)) {
      throw fastlyError(409, 'Duplicate record', `Duplicate backend '${input.name}'`);
    }
    apply(backend, input);
    backend.updated_at = state.timestamp();
    touch(state, service, version);
    return c.json(view(service, version, backend));
  });

  app.delete(`${base}/:name`, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    const backend = find(c, version.backends);
    version.backends.splice(version.backends.indexOf(backend), 1);
    touch(state, service, version);
    return c.json({ status: 'ok' });
  });

  return app;
}
