import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Duration } from './duration-schema';
import { EdgeplaneError } from './errors';
import { DEFAULT_FASTLY_EDGE } from './fastly/edge-hint';

// The control plane's configuration comes from the environment, parsed once here. A bad value
// stops the start with a message that names the variable (and never echoes a secret).

export const DEFAULT_DB_PATH = '.edgeplane/edgeplane.db';
export const DEFAULT_PORT = 8440;
/** The Compute package uploaded to every service, relative to the working directory. */
export const DEFAULT_PACKAGE_PATH = 'pkg/edgeplane.tar.gz';
const MIN_API_TOKEN_LENGTH = 16;

/** An unset variable and an empty one mean the same: use the default. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const ApiTokens = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((token) => token.trim())
      .filter((token) => token.length > 0),
  )
  .refine((tokens) => tokens.length > 0, 'no token given')
  .refine((tokens) => tokens.every((token) => token.length >= MIN_API_TOKEN_LENGTH), `every token must have at least ${MIN_API_TOKEN_LENGTH} characters`);

const Environment = z.object({
  FASTLY_API_TOKEN: optional(z.string().trim().min(1)),
  FASTLY_API_URL: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  EDGEPLANE_API_TOKEN: optional(ApiTokens),
  EDGEPLANE_DB: optional(z.string().min(1)),
  EDGEPLANE_PACKAGE: optional(z.string().min(1)),
  EDGEPLANE_PORT: optional(
    z
      .string()
      .regex(/^\d+$/, 'must be a port number')
      .transform(Number)
      .pipe(z.number().int().min(0, 'must be a port number').max(65535, 'must be a port number')),
  ),
  EDGEPLANE_RETRY_INITIAL: optional(Duration),
  EDGEPLANE_RETRY_MAX: optional(Duration),
  /** Fastly's write limit per hour of the account's user (default 1000); probes of waiting domains use a quarter of it. */
  EDGEPLANE_WRITE_LIMIT: optional(
    z
      .string()
      .regex(/^[1-9]\d*$/, 'must be a positive whole number')
      .transform(Number),
  ),
  /** How long a worker's lease on a service lasts (default 2 min): a replica gone without a word holds its services this long. */
  EDGEPLANE_LEASE: optional(Duration),
  /** `on` serves the public read-only page /status/{service}; default off. */
  EDGEPLANE_PUBLIC_STATUS: optional(z.enum(['on', 'off'], { error: 'must be on or off' })),
  /** Longest wait for one notification receiver (default 10 s). */
  EDGEPLANE_NOTIFY_TIMEOUT: optional(Duration),
  /** Fastly's edge for free release hints: `host` or `host:port`, or `off`. */
  EDGEPLANE_FASTLY_EDGE: optional(
    z
      .string()
      .trim()
      .regex(/^(off|[A-Za-z0-9.-]+(:\d{1,5})?|\[[0-9A-Fa-f:]+\](:\d{1,5})?)$/, 'must be host or host:port (no scheme), or off'),
  ),
});

export interface Config {
  fastly: { token: string; baseUrl?: string };
  /** Bearer tokens the API accepts; empty for a process that serves no API (the worker). */
  apiTokens: string[];
  dbPath: string;
  /** The edge package the server uploads: set by the operator, never by an API caller. */
  packagePath: string;
  port: number;
  retry: { initialMs?: number; maxMs?: number };
  leaseMs?: number;
  writeLimitPerHour?: number;
  notifyTimeoutMs?: number;
  publicStatus: boolean;
  /**
   * Fastly's edge to read release hints from (`src/fastly/edge-hint.ts`): EDGEPLANE_FASTLY_EDGE;
   * default Fastly's documented global address when the API is Fastly's own (no FASTLY_API_URL), else none.
   */
  fastlyEdge?: string;
}

export interface ConfigNeeds {
  /** The API is served, so EDGEPLANE_API_TOKEN is required. */
  api: boolean;
}

const SECRETS = new Set(['FASTLY_API_TOKEN', 'EDGEPLANE_API_TOKEN']);

function describe(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? 'environment');
  const value = env[name];
  const shown = value === undefined || SECRETS.has(name) ? '' : ` (got "${value}")`;
  return `${name}: ${issue.message}${shown}`;
}

/**
 * A secret may come from a file named by `<NAME>_FILE` (a systemd credential, a mounted secret)
 * instead of the variable itself: neither shows in `ps`, and the file keeps it out of the unit.
 */
function withSecretFiles(env: Record<string, string | undefined>, problems: string[]): Record<string, string | undefined> {
  const resolved = { ...env };
  for (const name of SECRETS) {
    const file = env[`${name}_FILE`]?.trim();
    if (!file || (env[name] ?? '').trim() !== '') continue;
    try {
      resolved[name] = readFileSync(file, 'utf8').trim();
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return resolved;
}

/** Reads the configuration from `env`; throws EdgeplaneError `invalid_input` listing every bad variable. */
export function loadConfig(givenEnv: Record<string, string | undefined>, needs: ConfigNeeds): Config {
  const fileProblems: string[] = [];
  const env = withSecretFiles(givenEnv, fileProblems);
  const parsed = Environment.safeParse(env);
  const problems = [...fileProblems, ...(parsed.success ? [] : parsed.error.issues.map((issue) => describe(issue, env)))];
  const values = parsed.success ? parsed.data : undefined;
  const unset = (name: string) => (env[name] ?? '').trim() === '';

  if (unset('FASTLY_API_TOKEN')) {
    problems.push('FASTLY_API_TOKEN: is required (a Fastly API token; `npm start` runs a local simulator instead)');
  }
  if (needs.api && unset('EDGEPLANE_API_TOKEN')) {
    problems.push('EDGEPLANE_API_TOKEN: is required (the bearer token(s) clients send, comma-separated)');
  }
  if (
    values?.EDGEPLANE_RETRY_INITIAL !== undefined
    && values.EDGEPLANE_RETRY_MAX !== undefined
    && values.EDGEPLANE_RETRY_INITIAL > values.EDGEPLANE_RETRY_MAX
  ) {
    problems.push('EDGEPLANE_RETRY_INITIAL: must not be longer than EDGEPLANE_RETRY_MAX');
  }
  if (!values || problems.length > 0) {
    throw new EdgeplaneError('invalid_input', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }

  return {
    fastly: { token: values.FASTLY_API_TOKEN!, ...(values.FASTLY_API_URL ? { baseUrl: values.FASTLY_API_URL } : {}) },
    apiTokens: values.EDGEPLANE_API_TOKEN ?? [],
    dbPath: values.EDGEPLANE_DB ?? DEFAULT_DB_PATH,
    packagePath: values.EDGEPLANE_PACKAGE ?? DEFAULT_PACKAGE_PATH,
    port: values.EDGEPLANE_PORT ?? DEFAULT_PORT,
    retry: {
      ...(values.EDGEPLANE_RETRY_INITIAL !== undefined ? { initialMs: values.EDGEPLANE_RETRY_INITIAL } : {}),
      ...(values.EDGEPLANE_RETRY_MAX !== undefined ? { maxMs: values.EDGEPLANE_RETRY_MAX } : {}),
    },
    ...(values.EDGEPLANE_LEASE !== undefined ? { leaseMs: values.EDGEPLANE_LEASE } : {}),
    ...(values.EDGEPLANE_WRITE_LIMIT !== undefined ? { writeLimitPerHour: values.EDGEPLANE_WRITE_LIMIT } : {}),
    ...(values.EDGEPLANE_NOTIFY_TIMEOUT !== undefined ? { notifyTimeoutMs: values.EDGEPLANE_NOTIFY_TIMEOUT } : {}),
    publicStatus: values.EDGEPLANE_PUBLIC_STATUS === 'on',
    ...fastlyEdge(values.EDGEPLANE_FASTLY_EDGE, values.FASTLY_API_URL),
  };
}

/** The edge for release hints: as set (`off`: none), else Fastly's own when the API is Fastly's own. */
function fastlyEdge(setting: string | undefined, apiUrl: string | undefined): { fastlyEdge?: string } {
  if (setting === 'off') return {};
  if (setting !== undefined) return { fastlyEdge: setting };
  return apiUrl === undefined ? { fastlyEdge: DEFAULT_FASTLY_EDGE } : {};
}
