import type { D1Database } from '@cloudflare/workers-types';
import { z } from 'zod';
import { type Config, loadConfig } from '../src/config';
import { Duration } from '../src/duration-schema';
import { EdgeplaneError } from '../src/errors';

/**
 * The Worker's bindings: the D1 database, and the same variables as `edgeplane serve`
 * (FASTLY_API_TOKEN and EDGEPLANE_API_TOKEN as secrets, `wrangler secret put`), plus
 * EDGEPLANE_LEASE for the service leases of its cron invocations.
 */
export interface WorkerEnv extends WorkerVariables {
  DB: D1Database;
}

/** The variables of the Worker, as `wrangler.toml`'s [vars], secrets, or `edgeplane cloudflare dev`'s environment give them. */
export interface WorkerVariables {
  FASTLY_API_TOKEN?: string;
  FASTLY_API_URL?: string;
  EDGEPLANE_API_TOKEN?: string;
  EDGEPLANE_RETRY_INITIAL?: string;
  EDGEPLANE_RETRY_MAX?: string;
  EDGEPLANE_PUBLIC_STATUS?: string;
  EDGEPLANE_NOTIFY_TIMEOUT?: string;
  EDGEPLANE_LEASE?: string;
}

/** The variables the Worker reads (the DB binding aside). */
export const WORKER_VARIABLES = [
  'FASTLY_API_TOKEN',
  'FASTLY_API_URL',
  'EDGEPLANE_API_TOKEN',
  'EDGEPLANE_RETRY_INITIAL',
  'EDGEPLANE_RETRY_MAX',
  'EDGEPLANE_PUBLIC_STATUS',
  'EDGEPLANE_NOTIFY_TIMEOUT',
  'EDGEPLANE_LEASE',
] as const satisfies ReadonlyArray<keyof WorkerVariables>;

/** How long a cron invocation's service lease lasts unless EDGEPLANE_LEASE says otherwise, as for `serve`. */
export const DEFAULT_LEASE_MS = 120_000;

export interface WorkerConfig extends Pick<Config, 'fastly' | 'apiTokens' | 'retry' | 'publicStatus' | 'notifyTimeoutMs'> {
  leaseMs: number;
}

/** The Worker's configuration, parsed once per isolate; a bad value names the variable. */
export function workerConfig(variables: WorkerVariables): WorkerConfig {
  const { fastly, apiTokens, retry, publicStatus, notifyTimeoutMs } = loadConfig({ ...variables }, { api: true });
  const lease = z
    .object({ EDGEPLANE_LEASE: Duration.pipe(z.number().min(1_000, 'must be at least 1s')).optional() })
    .safeParse({ EDGEPLANE_LEASE: variables.EDGEPLANE_LEASE || undefined });
  if (!lease.success)
    throw new EdgeplaneError(
      'invalid_input',
      `invalid configuration:\n  EDGEPLANE_LEASE: ${lease.error.issues[0]?.message} (got "${variables.EDGEPLANE_LEASE}")`,
    );
  return {
    fastly,
    apiTokens,
    retry,
    publicStatus,
    ...(notifyTimeoutMs !== undefined ? { notifyTimeoutMs } : {}),
    leaseMs: lease.data.EDGEPLANE_LEASE ?? DEFAULT_LEASE_MS,
  };
}
