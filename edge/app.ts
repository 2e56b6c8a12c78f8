import { type Context, Hono } from 'hono';
import { cachingKey, SITE_CONFIG_KEY, type SiteConfig } from '../src/site-config';
import { originDownResponse, refusalResponse } from './error-page';
import { loggablePath } from './log-entry';
import type { CacheState, EdgePlatform, OriginResult } from './platform';
import { type Decision, decideRequest, decideStorage, type ForwardDecision, type HeaderChanges, mayAnswerCredentialed, requestHost } from './policy';
import { parseSiteConfig } from './site-config-check';

// The edge app: asks the policy what to do with each request and applies the decision through
// the platform it runs on. It holds no state of its own besides the last parsed site config.

const ORIGIN_DOWN_STATUSES = new Set([502, 503, 504]);

/** Config Store key of the debug switch for one host: `on` adds the decision header to every response. */
export function debugKey(host: string): string {
  return `debug:${host}`;
}
/** Response header with the edge's decision, sent only while the host's debug switch is on. */
export const DECISION_HEADER = 'x-edgeplane-decision';

interface Outcome {
  response: Response;
  cache: CacheState;
  reason: string;
  /** The platform took the connection over (WebSocket handoff): its response goes out untouched. */
  handedOff?: boolean;
}

function applyHeaderChanges(headers: Headers, changes: HeaderChanges): void {
  for (const name of changes.remove) headers.delete(name);
  if (changes.removePrefixes.length > 0) {
    const names = [...headers.keys()].filter((name) => changes.removePrefixes.some((prefix) => name.startsWith(prefix)));
    for (const name of names) headers.delete(name);
  }
  for (const [name, value] of Object.entries(changes.set)) headers.set(name, value);
}

/** The headers the origin gets: the policy's changes applied, Host from the forward URL. */
function forwardHeaders(request: Request, decision: ForwardDecision): Headers {
  const forward = decision.forward;
  const headers = new Headers(request.headers);
  applyHeaderChanges(headers, forward.headers);
  headers.set('host', new URL(forward.url).host);
  return headers;
}

function forwardRequest(request: Request, decision: ForwardDecision): Request {
  const forward = decision.forward;
  const headers = forwardHeaders(request, decision);
  const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(forward.url, {
    method: request.method,
    headers,
    body: hasBody ? request.body : null,
    redirect: 'manual',
    // Streams the body through (Node needs it said; Fastly ignores it).
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit);
}

export function createEdgeApp(platform: EdgePlatform): Hono {
  let lastSiteText: string | null = null;
  let lastSite: SiteConfig | null = null;

  async function loadSite(): Promise<SiteConfig | null> {
    const text = await platform.readConfig(SITE_CONFIG_KEY);
    if (text === lastSiteText) return lastSite;
    const site = parseSiteConfig(text);
    lastSiteText = text;
    lastSite = site;
    return site;
  }

  async function askOrigin(request: Request, decision: ForwardDecision): Promise<Outcome> {
    const { origin, backend } = decision;
    if (decision.streaming === 'websocket') {
      const response = await platform.handoffWebsocket(request, forwardHeaders(request, decision), origin, backend);
      return { response, cache: 'pass', reason: decision.reason, handedOff: true };
    }
    const fetchPassed = () => platform.fetchOrigin({ origin, backend, request: forwardRequest(request, decision), cache: { mode: 'pass' } });
    let result: OriginResult;
    try {
      if (decision.action === 'cache') {
        result = await platform.fetchOrigin({
          origin,
          backend,
          request: forwardRequest(request, decision),
          cache: { mode: 'cache', key: decision.cache.key, decideStorage: (response) => decideStorage(decision, response, platform.now()) },
        });
        if (result.cached && !mayAnswerCredentialed(result.response.headers, decision.cache.publicOnly)) {
          // A stored answer to an anonymous request that is not public, or varies on what this one carries, must not answer it.
          await result.response.body?.cancel();
          result = await fetchPassed();
          return finish(result, 'pass', `${decision.reason}; stored response is not public: asked the origin`);
        }
      } else {
        result = await fetchPassed();
      }
    } catch {
      return { response: originDownResponse(), cache: 'error', reason: `${decision.reason}; origin unreachable, nothing stored to stand in` };
    }
    const state: CacheState = decision.action !== 'cache' ? 'pass' : result.stale ? 'stale' : result.cached ? 'hit' : 'miss';
    return finish(result, state, decision.reason);
  }

  async function finish(result: OriginResult, state: CacheState, reason: string): Promise<Outcome> {
    if (!result.stale && ORIGIN_DOWN_STATUSES.has(result.response.status)) {
      await result.response.body?.cancel();
      return { response: originDownResponse(), cache: 'error', reason: `${reason}; origin answered ${result.response.status}, nothing stored to stand in` };
    }
    return { response: result.response, cache: state, reason };
  }

  function deliver(outcome: Outcome, decision: Decision, debug: boolean): Response {
    const source = outcome.response;
    if (outcome.handedOff) return source;
    const headers = new Headers(source.headers);
    applyHeaderChanges(headers, decision.response);
    let reason = outcome.reason;
    if (decision.action === 'cache' && outcome.cache !== 'error') {
      const storage = decideStorage(decision, source, platform.now());
      applyHeaderChanges(headers, storage.clientHeaders);
      if (outcome.cache === 'miss') reason = `${reason}; ${storage.reason}`;
    }
    // X-Cache says where an origin answer came from; the edge's own answers (refusals, redirects) have none.
    if (outcome.cache !== 'none') headers.set('x-cache', outcome.cache.toUpperCase());
    if (debug) headers.set(DECISION_HEADER, `${decision.action} ${decision.route} ${outcome.cache}; ${reason}`.replace(/[^\x20-\x7e]/g, '?'));
    return new Response(source.body, { status: source.status, statusText: source.statusText, headers });
  }

  const app = new Hono();
  app.all('*', async (c: Context) => {
    const started = platform.now();
    const request = c.req.raw;
    const url = new URL(request.url);
    const host = requestHost(url, request.headers);
    let decision: Decision;
    let outcome: Outcome;
    let debug = false;
    try {
      const [site, caching, debugSwitch] = await Promise.all([loadSite(), platform.readConfig(cachingKey(host)), platform.readConfig(debugKey(host))]);
      debug = debugSwitch === 'on';
      decision = decideRequest(
        { method: request.method, url: request.url, headers: request.headers, clientAddress: platform.clientAddress(c) },
        site,
        caching === 'on',
      );
    } catch {
      const response = originDownResponse();
      platform.log(logEntry(started, host, request.method, url, response.status, 'refuse', 'config_unavailable', 'none', 'config store unreachable'));
      return response;
    }

    if (decision.action === 'refuse') {
      const response = refusalResponse(decision.status);
      outcome = { response, cache: 'none', reason: decision.reason };
    } else if (decision.action === 'redirect') {
      const response = new Response(null, { status: decision.status, headers: { location: decision.location, 'cache-control': 'no-store' } });
      outcome = { response, cache: 'none', reason: decision.reason };
    } else {
      outcome = await askOrigin(request, decision);
    }
    const response = deliver(outcome, decision, debug);
    platform.log(logEntry(started, host, request.method, url, response.status, decision.action, decision.route, outcome.cache, outcome.reason));
    return response;
  });
  // A bug of ours must not become a bare 500: visitors get the friendly page, the log says what broke.
  app.onError((error, c) => {
    const url = new URL(c.req.url);
    const response = originDownResponse();
    const reason = `edge error: ${error instanceof Error ? error.message : String(error)}`;
    platform.log(logEntry(platform.now(), requestHost(url, c.req.raw.headers), c.req.method, url, response.status, 'refuse', 'edge_error', 'error', reason));
    return response;
  });
  return app;

  function logEntry(started: number, host: string, method: string, url: URL, status: number, action: string, route: string, cache: CacheState, reason: string) {
    return {
      time: new Date(started).toISOString(),
      host,
      method,
      path: loggablePath(url),
      status,
      action,
      route,
      cache,
      reason,
      durationMs: platform.now() - started,
    };
  }
}
