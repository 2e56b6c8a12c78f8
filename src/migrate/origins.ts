import { EdgeplaneError } from '../errors';
import type { Origin } from '../model';
import { BACKEND_NAMES } from '../site-config';
import type { MigrationPlan, OldBackend, OldService } from './model';

// The new service's origins when none are given: the old service's backends, mirrored. An
// edgeplane service names them `main_origin` and `static_origin`; any other service's first
// backend is taken as main, and its second (else the first again) as static.

export interface MirroredOrigins {
  origins: { main: Origin; static: Origin };
  from: MigrationPlan['originsFrom'];
  warnings?: string[];
}

function originOf(backend: OldBackend, hostHeader: string | null | undefined, pathPrefix?: string | null): Origin {
  return {
    address: backend.address,
    port: backend.port,
    useTls: backend.useSsl,
    ...(hostHeader && hostHeader !== backend.address ? { hostHeader } : {}),
    ...(pathPrefix ? { pathPrefix } : {}),
  };
}

/** The origins of the first holding service that has a backend; throws when none has one. */
export function mirrorOrigins(holding: readonly OldService[]): MirroredOrigins {
  const source = holding.find((old) => old.backends.length > 0);
  if (!source) {
    throw new EdgeplaneError('invalid_input', 'no service on the old account that holds the domains has a backend to mirror: give the new service its origins');
  }
  const main = source.backends.find((backend) => backend.name === BACKEND_NAMES.main);
  const files = source.backends.find((backend) => backend.name === BACKEND_NAMES.static);
  if (main && files) {
    return {
      origins: {
        main: originOf(main, main.overrideHost),
        static: originOf(files, source.staticHostHeader ?? files.overrideHost, source.staticPathPrefix),
      },
      from: {
        kind: 'old_service',
        serviceId: source.id,
        reason: `the backends ${BACKEND_NAMES.main} and ${BACKEND_NAMES.static} of the old service ${source.name}`,
      },
    };
  }
  const first = source.backends[0]!;
  const second = source.backends[1] ?? first;
  const warnings = [
    `the old service ${source.name} is not laid out like an edgeplane service: its backend ${first.name} becomes the main origin and ${second.name} the static origin; give the origins to choose others`,
  ];
  if (holding.length > 1) warnings.push(`the origins come from ${source.name}; the other old services' backends are not mirrored`);
  return {
    origins: { main: originOf(first, first.overrideHost), static: originOf(second, second.overrideHost) },
    from: { kind: 'old_service', serviceId: source.id, reason: `the backends ${first.name} and ${second.name} of the old service ${source.name}` },
    warnings,
  };
}
