import { z } from 'zod';
import type { SiteConfig } from '../src/site-config';
import { type Action, decideRequest, decideStorage, type Origin } from './policy';

// `edgeplane edge decide`: one JSON line in (a request, optionally the origin's response), one
// JSON line out saying what the edge would do and why.

const HeaderValues = z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({});

const DecideInput = z.object({
  request: z.object({
    method: z.string().min(1).default('GET'),
    /** Absolute URL, or a path on the Host header's host (default: the main domain, over HTTPS). */
    url: z.string().min(1),
    headers: HeaderValues,
  }),
  response: z
    .object({
      status: z.number().int().min(100).max(599),
      headers: HeaderValues,
    })
    .optional(),
});
export type DecideInput = z.infer<typeof DecideInput>;

export interface DecideOutput {
  origin: Origin | null;
  action: Action;
  /** Whether the edge would keep the given response; null without one. */
  store: boolean | null;
  ttl: number | null;
  reason: string;
}

function toHeaders(values: Record<string, string | string[]>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

function explain(input: DecideInput, site: SiteConfig, cachingOn: boolean, nowMs: number): DecideOutput {
  const headers = toHeaders(input.request.headers);
  const base = `https://${headers.get('host') ?? site.canonicalHost ?? 'localhost'}`;
  // A path is appended to the host, never resolved against it: `//api/...` is a path, not a host.
  const given = input.request.url;
  const url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(given) ? given : `${base}${given.startsWith('/') ? '' : '/'}${given}`).href;
  const decision = decideRequest({ method: input.request.method, url, headers }, site, cachingOn);
  if (!input.response) return { origin: decision.origin, action: decision.action, store: null, ttl: null, reason: decision.reason };
  const storage = decideStorage(decision, { status: input.response.status, headers: toHeaders(input.response.headers) }, nowMs);
  return {
    origin: decision.origin,
    action: decision.action,
    store: storage.store,
    ttl: storage.ttl,
    reason: `${decision.reason}; ${storage.reason}`,
  };
}

export type ExplainedLine = { ok: true; output: DecideOutput } | { ok: false; error: string };

/** One input line: a clear error for bad JSON or a bad shape, never a throw. */
export function explainLine(line: string, site: SiteConfig, cachingOn: boolean, nowMs: number): ExplainedLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = DecideInput.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `${issue.path.join('.') || 'input'}: ${issue.message}` };
  }
  try {
    return { ok: true, output: explain(parsed.data, site, cachingOn, nowMs) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
