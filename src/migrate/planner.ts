import { z } from 'zod';
import type { Clock } from '../clock';
import type { ControlPlane } from '../control-plane';
import { EdgeplaneError, isEdgeplaneError } from '../errors';
import type { FastlyGateway } from '../fastly/gateway';
import { type DomainRole, Origin } from '../model';
import { readOldAccount } from './inventory';
import type { MigrationPlan } from './model';
import { buildMigrationPlan } from './plan';

// `POST /v1/services/{name}/migrations` and `edgeplane migrate plan`: read the old account with
// its token, then decide the plan. The token is used for reads here and never kept or shown.

export const MigrationRequest = z
  .object({
    /** A token of the old Fastly account (or the `Edgeplane-From-Token` header). Never returned or logged. */
    fromToken: z.string().min(1).optional(),
    /** Only the plan, nothing written anywhere. */
    dryRun: z.boolean().optional(),
    /** The domains to move; default: the service's domains in edgeplane, else those of the old account's service of the same name. */
    domains: z.array(z.string().min(1).max(253)).min(1).max(1000).optional(),
    /** `mirror` (default): the old service's backends; `keep`: the edgeplane service's origins; or the origins themselves. */
    origins: z.union([z.enum(['mirror', 'keep']), z.object({ main: Origin, static: Origin }).strict()]).optional(),
    /** The TTL to lower the site's DNS records to beforehand; default 60 s. */
    ttlSeconds: z.number().int().min(1).max(86_400).optional(),
  })
  .strict();
export type MigrationRequest = z.infer<typeof MigrationRequest>;

export interface MigrationPlannerParts {
  controlPlane: ControlPlane;
  /** A gateway for the old account's token. */
  gatewayFor: (token: string) => FastlyGateway;
  clock: Clock;
}

/** The edgeplane service of that name, or null when there is none yet. */
async function existingService(controlPlane: ControlPlane, name: string) {
  try {
    return await controlPlane.getService(name);
  } catch (error) {
    if (isEdgeplaneError(error, 'not_found')) return null;
    throw error;
  }
}

/** Reads the old account (GETs only) and returns the plan; writes nothing anywhere. */
export async function planMigration(parts: MigrationPlannerParts, service: string, request: MigrationRequest & { fromToken: string }): Promise<MigrationPlan> {
  const current = await existingService(parts.controlPlane, service);
  const known = current?.domains.map(({ domain }) => domain) ?? [];
  const domains = request.domains ?? (known.length > 0 ? known : undefined);
  const old = parts.gatewayFor(request.fromToken);
  const inventory = await readOldAccount(old, { service, ...(domains ? { domains } : {}), now: new Date(parts.clock.now()) }).catch((error: unknown) => {
    // Our own token is not the one refused: a 401 here would read as a wrong edgeplane token.
    if (!isEdgeplaneError(error, 'unauthorized')) throw error;
    throw new EdgeplaneError('invalid_input', "Fastly refused the old account's token (fromToken): check that it is a valid token of the old account", {
      cause: error,
    });
  });
  let origins = typeof request.origins === 'object' ? request.origins : undefined;
  if (request.origins === 'keep') {
    if (!current) throw new EdgeplaneError('invalid_input', `origins "keep" needs the service "${service}" in edgeplane; create it first or give the origins`);
    origins = current.origins;
  }
  const roles: Record<string, DomainRole> = Object.fromEntries(current?.domains.map(({ domain, role }) => [domain, role]) ?? []);
  return buildMigrationPlan({ service, inventory, roles, ...(origins ? { origins } : {}), ...(request.ttlSeconds ? { ttlSeconds: request.ttlSeconds } : {}) });
}
