import { createHash } from 'node:crypto';
import { EdgeplaneError, orNull } from '../errors';
import type { BackendSpec, FastlyBackend, FastlyGateway, FastlyService } from '../fastly/gateway';
import type { LastError, Origin } from '../model';
import { BACKEND_NAMES, CONFIG_STORE_LINK_NAME } from '../site-config';
import type { StoredService } from '../store';
import type { LifecycleContext } from './context';
import { ensureDraft } from './drafts';
import type { EdgePackageSource } from './edge-package';
import { writeSiteConfig } from './site-config-writer';

/** The two static backends the edge fetches from, with TLS to origin checked against the right name. */
export function backendSpecs(origins: { main: Origin; static: Origin }): BackendSpec[] {
  const spec = (name: string, origin: Origin, overrideHost: string | undefined): BackendSpec => {
    const certName = origin.hostHeader ?? origin.address;
    return {
      name,
      address: origin.address,
      port: origin.port,
      useSsl: origin.useTls,
      ...(overrideHost ? { overrideHost } : {}),
      ...(origin.useTls ? { sslCertHostname: certName, sslSniHostname: certName } : {}),
      connectTimeoutMs: 1_000,
      firstByteTimeoutMs: 15_000,
      betweenBytesTimeoutMs: 10_000,
    };
  };
  return [
    // The main origin sees the client's Host unless told otherwise; the files origin (a bucket) its own name.
    spec(BACKEND_NAMES.main, origins.main, origins.main.hostHeader),
    spec(BACKEND_NAMES.static, origins.static, origins.static.hostHeader ?? origins.static.address),
  ];
}

/** Said by an attach that finds the service without an active version (see attach.ts). */
export const SERVICE_NOT_READY = 'has no active version yet';

export const MISSING_PACKAGE_HINT = 'run `npm run build:edge` to build it, then create the service again';

interface LocalPackage {
  bytes: Uint8Array;
  hashes: string[];
}

async function readPackage(source: EdgePackageSource): Promise<LocalPackage | null> {
  const bytes = await source.read();
  if (bytes === null) return null;
  const hashes = ['sha512', 'sha256'].map((algorithm) => createHash(algorithm).update(bytes).digest('hex'));
  return { bytes, hashes };
}

/** The fields edgeplane sets on a backend; Fastly's other fields are left as they are. */
const BACKEND_FIELDS = [
  'address',
  'port',
  'useSsl',
  'overrideHost',
  'sslCertHostname',
  'sslSniHostname',
  'connectTimeoutMs',
  'firstByteTimeoutMs',
  'betweenBytesTimeoutMs',
] as const;

/** True when Fastly's backend differs from the wanted one in a field edgeplane sets. */
export function backendDiffers(wanted: BackendSpec, actual: FastlyBackend): boolean {
  return BACKEND_FIELDS.some((field) => wanted[field] !== actual[field]);
}

/** What a version lacks or has differently compared with what the service should have. */
async function missingIn(
  gateway: FastlyGateway,
  serviceId: string,
  version: number,
  wanted: { configStoreId: string; pkg: LocalPackage | null; backends: BackendSpec[] },
) {
  const [backends, links, pkg] = await Promise.all([
    gateway.listBackends(serviceId, version),
    gateway.listResourceLinks(serviceId, version),
    gateway.getPackage(serviceId, version),
  ]);
  const onFastly = new Map(backends.map((backend) => [backend.name, backend]));
  return {
    backends: wanted.backends.filter((spec) => !onFastly.has(spec.name)),
    changedBackends: wanted.backends.filter((spec) => {
      const actual = onFastly.get(spec.name);
      return actual !== undefined && backendDiffers(spec, actual);
    }),
    link: !links.some((link) => link.name === CONFIG_STORE_LINK_NAME && link.resourceId === wanted.configStoreId),
    otherLink: links.find((link) => link.name === CONFIG_STORE_LINK_NAME && link.resourceId !== wanted.configStoreId) ?? null,
    package: wanted.pkg !== null && !(pkg?.hashsum && wanted.pkg.hashes.includes(pkg.hashsum)),
    hasPackage: wanted.pkg !== null || pkg !== null,
  };
}

/**
 * Brings the Fastly service in line with the stored service: the Compute service (created, or
 * adopted by name), its own config store (with the `site` key) linked to it under the link name the edge opens, both backends and the
 * edge package on a version that is validated and activated. Idempotent: each run reads what
 * Fastly has and does only what is missing, on the one reusable draft.
 */
export async function provisionService(ctx: LifecycleContext, stored: StoredService): Promise<StoredService> {
  const { gateway } = ctx;
  const now = () => new Date(ctx.clock.now()).toISOString();
  let service = stored;
  const save = async (changes: Partial<StoredService>) => {
    service = { ...service, ...changes, updatedAt: now() };
    await ctx.store.putService(service);
  };

  const fastly: FastlyService =
    (service.fastlyServiceId ? await orNull(gateway.getService(service.fastlyServiceId)) : null)
    ?? (await gateway.findServiceByName(service.name))
    ?? (await gateway.createService(service.name, 'wasm'));
  if (fastly.type !== 'wasm') {
    throw new EdgeplaneError('conflict', `the Fastly service "${service.name}" exists and is a ${fastly.type} service, not a Compute (wasm) service`);
  }
  if (service.fastlyServiceId !== fastly.id) await save({ fastlyServiceId: fastly.id });

  const configStore = (await gateway.findConfigStore(service.configStoreName)) ?? (await gateway.createConfigStore(service.configStoreName));
  if (service.configStoreId !== configStore.id) await save({ configStoreId: configStore.id });
  await writeSiteConfig(gateway, { ...service, configStoreId: configStore.id });

  const packagePath = ctx.edgePackage.location;
  const pkg = await readPackage(ctx.edgePackage);
  const wanted = { configStoreId: configStore.id, pkg, backends: backendSpecs(service.origins) };

  if (fastly.activeVersion !== null) {
    const missing = await missingIn(gateway, fastly.id, fastly.activeVersion, wanted);
    if (missing.backends.length === 0 && missing.changedBackends.length === 0 && !missing.link && !missing.package) {
      await save({ activeVersion: fastly.activeVersion, status: 'ready', lastError: null, packagePath: pkg ? packagePath : service.packagePath });
      return service;
    }
  }

  const draft = await ensureDraft(gateway, fastly);
  const missing = await missingIn(gateway, fastly.id, draft, wanted);
  for (const spec of missing.backends) await gateway.createBackend(fastly.id, draft, spec);
  // A changed origin (address, port, TLS, host header) is updated in place on the draft.
  for (const spec of missing.changedBackends) await gateway.updateBackend(fastly.id, draft, spec);
  if (missing.otherLink) {
    throw new EdgeplaneError(
      'conflict',
      `version ${draft} of "${service.name}" links Config Store ${missing.otherLink.resourceId} under "${CONFIG_STORE_LINK_NAME}", the name the edge opens; remove that link on Fastly, then create the service again`,
    );
  }
  // Linked under the one name the Wasm opens, whatever the store is called.
  if (missing.link) await gateway.linkResource(fastly.id, draft, configStore.id, CONFIG_STORE_LINK_NAME);
  if (missing.package && pkg) await gateway.uploadPackage(fastly.id, draft, pkg.bytes);

  if (!missing.hasPackage) {
    // Fastly refuses to activate a Compute version without a package: leave the draft and say why.
    const lastError: LastError = {
      code: 'invalid_input',
      detail: `No edge package at ${packagePath}, so version ${draft} of "${service.name}" cannot be activated: ${MISSING_PACKAGE_HINT}`,
    };
    await save({ status: 'needs_attention', lastError });
    return service;
  }

  const validation = await gateway.validateVersion(fastly.id, draft);
  if (!validation.valid) {
    await save({
      status: 'needs_attention',
      lastError: { code: 'fastly_rejected', detail: validation.messages.join('; ') || `version ${draft} is not valid` },
    });
    return service;
  }
  await gateway.activateVersion(fastly.id, draft);
  await save({ activeVersion: draft, status: 'ready', lastError: null, packagePath: pkg ? packagePath : service.packagePath });
  return service;
}
