import type { Backend, DomainEntry, Service, Version } from './state';

// The JSON Fastly answers for each record, with the field names fastly-js's models read.

export function versionView(service: Service, version: Version) {
  return {
    number: version.number,
    service_id: service.id,
    active: version.active,
    locked: version.locked,
    deployed: false,
    staging: false,
    testing: false,
    comment: version.comment,
    environments: [],
    created_at: version.created_at,
    updated_at: version.updated_at,
    deleted_at: null,
  };
}

export function serviceView(service: Service) {
  return {
    id: service.id,
    name: service.name,
    type: service.type,
    customer_id: service.customerId,
    comment: service.comment,
    paused: false,
    publish_key: '',
    created_at: service.created_at,
    updated_at: service.updated_at,
    deleted_at: null,
    versions: service.versions.map((version) => versionView(service, version)),
  };
}

export const activeVersion = (service: Service) => service.versions.find((version) => version.active) ?? null;

/** Entry of `GET /service`: `version` is the active version number (else the latest). */
export function serviceListView(service: Service) {
  const latest = service.versions[service.versions.length - 1]!;
  return { ...serviceView(service), version: activeVersion(service)?.number ?? latest.number };
}

export function domainView(service: Service, version: Version, domain: DomainEntry) {
  return {
    name: domain.name,
    comment: domain.comment,
    service_id: service.id,
    version: version.number,
    created_at: domain.created_at,
    updated_at: domain.updated_at,
    deleted_at: null,
  };
}

export function backendView(service: Service, version: Version, backend: Backend) {
  return { ...backend, service_id: service.id, version: version.number, locked: version.locked, deleted_at: null };
}
