import { fastlyError, notFound } from './errors';
import type { Account, Service, SimState, Version } from './state';

/** The account's service, or Fastly's 404 (another account's service is invisible, not forbidden). */
export function serviceOf(state: SimState, account: Account, serviceId: string): Service {
  const service = state.services.get(serviceId);
  if (!service || service.customerId !== account.customerId) throw notFound(`Couldn't find Service '${serviceId}'`);
  return service;
}

export function versionOf(service: Service, versionParam: string): Version {
  const number = Number(versionParam);
  const version = Number.isInteger(number) ? service.versions.find((v) => v.number === number) : undefined;
  if (!version) throw notFound(`Couldn't find Version '${versionParam}' of service '${service.id}'`);
  return version;
}

/**
 * Only drafts (never locked, never active) can be edited; anything else answers 422 "Version
 * locked" (go-fastly fixture fastly/fixtures/tls_subscription/compute/cleanup.yaml).
 */
export function editableVersion(service: Service, versionParam: string): Version {
  const version = versionOf(service, versionParam);
  if (version.locked || version.active) {
    throw fastlyError(422, 'Version locked', `Version '${version.number}' for service '${service.id}' is locked`);
  }
  return version;
}

export function touch(state: SimState, service: Service, version?: Version): void {
  const now = state.timestamp();
  service.updated_at = now;
  if (version) version.updated_at = now;
}
