import { Hono } from 'hono';
import { readBody } from './body';
import type { SimEnv } from './env';
import { badRequest, notFound } from './errors';
import { editableVersion, serviceOf, touch, versionOf } from './lookups';
import { InvalidPackage, type PackageMetadata, readPackageArchive } from './package-archive';
import type { PackageInfo, Service, SimState, Version } from './state';

function packageView(service: Service, version: Version, info: PackageInfo) {
  return {
    id: info.id,
    service_id: service.id,
    version: version.number,
    metadata: {
      name: info.name,
      description: info.description,
      authors: info.authors,
      language: info.language,
      size: info.size,
      hashsum: info.hashsum,
      files_hash: info.files_hash,
    },
    created_at: info.created_at,
    updated_at: info.updated_at,
    deleted_at: null,
  };
}

/** Compute package upload (multipart field `package`, a .tar.gz) and its metadata. */
export function packageRoutes(state: SimState) {
  const app = new Hono<SimEnv>();
  const path = '/service/:serviceId/version/:version/package';

  app.get(path, (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = versionOf(service, c.req.param('version'));
    if (!version.package) throw notFound(`No package for version ${version.number} of service '${service.id}'`);
    return c.json(packageView(service, version, version.package));
  });

  app.put(path, async (c) => {
    const service = serviceOf(state, c.get('account'), c.req.param('serviceId'));
    const version = editableVersion(service, c.req.param('version'));
    if (service.type !== 'wasm') throw badRequest(`Service '${service.id}' is not a Compute service`);
    const contentType = c.req.header('content-type') ?? '';
    if (!contentType.includes('multipart/form-data')) throw badRequest('Upload the package as multipart/form-data in the field "package"');
    // A file part, as Fastly's CLI sends it (go-fastly names the part after the file): a part
    // without a file name is a text field, and a package in text is no package.
    const upload = (await readBody(c)).package;
    if (!(upload instanceof File) || upload.size === 0) throw badRequest('The field "package" is missing (a file part with a file name)');
    const archive = Buffer.from(await upload.arrayBuffer());
    let read: PackageMetadata;
    try {
      read = await readPackageArchive(archive);
    } catch (error) {
      if (error instanceof InvalidPackage) throw badRequest(error.message);
      throw error;
    }
    const now = state.timestamp();
    version.package = {
      id: version.package?.id ?? state.random.id(),
      ...read,
      created_at: version.package?.created_at ?? now,
      updated_at: now,
    };
    touch(state, service, version);
    return c.json(packageView(service, version, version.package));
  });

  return app;
}
