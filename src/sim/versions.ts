import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { bodyOf } from './body';
import type { SimEnv } from './env';
import { badRequest } from './errors';
import { serviceOf, touch, versionOf } from './lookups';
import { refusalDetail, refusalFor } from './ownership';
import { newVersion } from './services';
import type { Service, SimState, Version } from './state';
import { versionView } from './views';

/** What keeps a version from being activated (Fastly's validate). */
export function validationErrors(service: Service, version: Version): string[] {
  const errors: string[] = [];
  if (service.type === 'wasm' && !version.package) {
    errors.push(`Version ${version.number} has no Compute package: upload one before activating`);
  }
  return errors;
}

function cloneVersion(state: SimState, service: Service, source: Version): Version {
  const copy = newVersion(state, Math.max(...service.versions.map((version) => version.number)) + 1);
  copy.comment = source.comment;
  copy.domains = source.domains.map((domain) => ({ ...domain }));
  copy.backends = source.backends.map((backend) => ({ ...backend }));
  copy.package = source.package ? { ...source.package } : null;
  copy.resources = source.resources.map((resource) => ({ ...resource, id: state.random.id() }));
  return copy;
}

const UpdateVersion = z.object({ comment: z.string().optional() });

/** Versions: list, create, get, update comment, clone, activate, deactivate, lock, validate. */
export function versionRoutes(state: SimState) {
  const app = new Hono<SimEnv>();
  const service = (c: Context<SimEnv>) => serviceOf(state, c.get('account'), c.req.param('serviceId') ?? '');

  app.get('/service/:serviceId/version', (c) => {
    const found = service(c);
    return c.json(found.versions.map((version) => versionView(found, version)));
  });

  app.post('/service/:serviceId/version', async (c) => {
    const found = service(c);
    const input = await bodyOf(c, UpdateVersion);
    const version = newVersion(state, Math.max(...found.versions.map((v) => v.number)) + 1);
    version.comment = input.comment ?? '';
    found.versions.push(version);
    touch(state, found);
    // The short answer Fastly gives (fastly/fixtures/versions/compute/create.yaml).
    return c.json({ comment: version.comment, service_id: found.id, number: version.number });
  });

  app.get('/service/:serviceId/version/:version', (c) => {
    const found = service(c);
    return c.json(versionView(found, versionOf(found, c.req.param('version'))));
  });

  app.put('/service/:serviceId/version/:version', async (c) => {
    const found = service(c);
    const version = versionOf(found, c.req.param('version'));
    const input = await bodyOf(c, UpdateVersion);
    if (input.comment !== undefined) version.comment = input.comment;
    touch(state, found, version);
    return c.json(versionView(found, version));
  });

  app.put('/service/:serviceId/version/:version/clone', (c) => {
    const found = service(c);
    const copy = cloneVersion(state, found, versionOf(found, c.req.param('version')));
    found.versions.push(copy);
    touch(state, found);
    return c.json(versionView(found, copy));
  });

  app.get('/service/:serviceId/version/:version/validate', (c) => {
    const found = service(c);
    const errors = validationErrors(found, versionOf(found, c.req.param('version')));
    return c.json(
      errors.length === 0
        ? { status: 'ok', msg: null, errors: [], warnings: [], messages: [] }
        : { status: 'error', msg: errors.join('; '), errors, warnings: [], messages: errors.map((message) => ({ type: 'error', message })) },
    );
  });

  app.put('/service/:serviceId/version/:version/activate', (c) => {
    const found = service(c);
    const version = versionOf(found, c.req.param('version'));
    if (version.active) throw badRequest(`Version ${version.number} is already active`);
    const errors = validationErrors(found, version);
    if (errors.length > 0) throw badRequest(errors.join('; '));
    for (const domain of version.domains) {
      const refusal = refusalFor(state, domain.name, found.customerId, found.id);
      if (refusal) throw badRequest(refusalDetail(domain.name, refusal));
    }
    for (const other of found.versions) other.active = false;
    version.active = true;
    version.locked = true;
    version.activations += 1;
    touch(state, found, version);
    return c.json(versionView(found, version));
  });

  app.put('/service/:serviceId/version/:version/deactivate', (c) => {
    const found = service(c);
    const version = versionOf(found, c.req.param('version'));
    if (!version.active) throw badRequest(`Version ${version.number} is not active`);
    version.active = false;
    touch(state, found, version);
    return c.json(versionView(found, version));
  });

  app.put('/service/:serviceId/version/:version/lock', (c) => {
    const found = service(c);
    const version = versionOf(found, c.req.param('version'));
    version.locked = true;
    touch(state, found, version);
    return c.json(versionView(found, version));
  });

  return app;
}
