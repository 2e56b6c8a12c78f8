import type { SiteConfig } from '../src/site-config';
import { CACHEABLE_STATUSES, freshnessOf, parseDirectives, varyHeaders } from './freshness';
import { acceptKind, hostMetaKind, NORMALISED_ACCEPT, normaliseLanguage } from './negotiation';
import { normalisePath } from './path';

// The Mastodon routing and caching policy (docs/mastodon-edge-policy.md) as two pure steps:
// decideRequest (before the origin is asked) and decideStorage (once its response is known).

export type Origin = 'main' | 'static';
export type Action = 'pass' | 'cache' | 'redirect' | 'refuse';
/** Purge classes; `api` tags the instance/emoji allowlist. */
export type SurrogateClass = 'static' | 'media' | 'activitypub' | 'html' | 'api';
export type Streaming = 'websocket' | 'sse' | null;

export interface RequestFacts {
  method: string;
  /** Absolute URL as the client sent it; the scheme tells whether it came over TLS. */
  url: string;
  headers: Headers;
  /** The client's IP address, when the platform knows it. */
  clientAddress?: string | null;
}

export interface HeaderChanges {
  set: Record<string, string>;
  remove: string[];
  /** Remove every header whose name starts with one of these (lower-case). */
  removePrefixes: string[];
}

/** How the lifetime of a stored response is chosen. */
export type TtlRule =
  /** The origin's explicit lifetime; without one the response is not stored (never-store rule 3). */
  | { kind: 'origin' }
  /** The origin's explicit lifetime, else the edge's (Rails sends none for these files). */
  | { kind: 'edge-default'; ttl: number }
  /** The edge's lifetime for 200/203 whatever the origin says; other statuses as `origin`. */
  | { kind: 'edge-override'; ttl: number };

export interface CachePlan {
  /** Host + path + query, plus the normalised Accept where HTML and ActivityPub share a URL. */
  key: string;
  ttlRule: TtlRule;
  /** stale-while-revalidate when the origin gives none. */
  swr: number;
  /** How long a stored object may stand in when the origin is down. */
  staleIfError: number;
  maxTtl: number | null;
  /** Lifetime cap for 404/410. */
  errorTtl: number | null;
  surrogateKeys: string[];
  /**
   * Request headers (signature, authorization, cookie) the request carries that a stored response
   * must be `public` and not vary on to answer it or be stored from it; empty: no such limit.
   */
  publicOnly: string[];
  /** Cache-Control given to browsers with a stored 200 (files are immutable). */
  browserCacheControl: string | null;
  /** Request headers the key already stands for (the Accept kind): a stored object need not vary on them. */
  keyedHeaders: string[];
}

export interface ForwardPlan {
  /** URL to ask the origin for: its host is the Host header the origin sees. */
  url: string;
  headers: HeaderChanges;
}

interface DecisionCommon {
  /** Route of the policy table that matched (stable names, used in logs and tests). */
  route: string;
  /** Changes to every response the client gets for this request. */
  response: HeaderChanges;
  reason: string;
}

/** The edge asks the origin: `pass` never stores, `cache` follows `cache`. */
interface OriginDecision extends DecisionCommon {
  action: 'pass' | 'cache';
  origin: Origin;
  /** Fastly backend name of the origin. */
  backend: string;
  status: null;
  location: null;
  cache: CachePlan | null;
  forward: ForwardPlan;
  streaming: Streaming;
}

/** The edge answers itself; the origin is not asked. */
interface EdgeAnswerDecision extends DecisionCommon {
  action: 'redirect' | 'refuse';
  origin: null;
  backend: null;
  status: number;
  /** Where a redirect points; null for a refusal. */
  location: string | null;
  cache: null;
  forward: null;
  streaming: null;
}

export type PassDecision = OriginDecision & { action: 'pass'; cache: null };
export type CacheDecision = OriginDecision & { action: 'cache'; cache: CachePlan };
export type RedirectDecision = EdgeAnswerDecision & { action: 'redirect'; location: string };
export type RefuseDecision = EdgeAnswerDecision & { action: 'refuse'; location: null };
/** A decision that asks the origin. */
export type ForwardDecision = PassDecision | CacheDecision;
/** What the edge does with a request, discriminated by `action`. */
export type Decision = PassDecision | CacheDecision | RedirectDecision | RefuseDecision;

export interface StorageDecision {
  store: boolean;
  /** Seconds to keep it fresh; null when not stored. */
  ttl: number | null;
  swr: number;
  sie: number;
  surrogateKeys: string[];
  /**
   * The request headers the stored object varies on: the response's Vary less those the key
   * stands for (the client still gets the response's own Vary). Empty when not stored.
   */
  vary: string[];
  /** Extra changes to the client's response (browser caching). */
  clientHeaders: HeaderChanges;
  reason: string;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
export const POLICY_TTLS = {
  /** What nginx gives fingerprinted packs and assets. */
  fingerprinted: 28 * DAY,
  /** Emoji, sounds, default avatars...: Rails sends no lifetime; the Fastly module's 1 hour. */
  staticFile: HOUR,
  staticFileSwr: HOUR,
  /** Short so that deploys propagate. */
  serviceWorker: 5 * MINUTE,
  /** Edge lifetime cap of files-domain objects. */
  filesMax: 48 * HOUR,
  /** A cached 404 broke avatars on a large instance: files-origin errors live seconds. */
  filesError: 10,
  mainStaticError: MINUTE,
  staleIfError: DAY,
  /** Cap of every edge lifetime the origin sets on pages, ActivityPub and the API (purges reach sooner). */
  originMax: DAY,
  /** Cap of every edge lifetime at all: the longest the policy itself gives. */
  edgeMax: 28 * DAY,
  /** Cap of the stale-while-revalidate and stale-if-error windows. */
  staleMax: 7 * DAY,
  hsts: 365 * DAY,
} as const;

const HSTS = `max-age=${POLICY_TTLS.hsts}`;
const BROWSER_IMMUTABLE = 'public, max-age=31536000, immutable';
const FILES_RESPONSE_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; form-action 'none'",
};
/** A surrogate key may be at most 1024 bytes. */
const MAX_SURROGATE_KEY_LENGTH = 1024;

const READ_METHODS = new Set(['GET', 'HEAD']);
/**
 * Request headers an origin (Rails, nginx, object storage) may act on but the cache key ignores:
 * a client could make the origin answer for another host, path or method and have it stored under
 * an innocent key. They never leave the edge.
 */
export const UNKEYED_REQUEST_HEADERS = [
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'forwarded',
  'x-original-url',
  'x-rewrite-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-real-ip',
  'client-ip',
];
/** Hop-by-hop headers (RFC 9110 7.6.1) belong to the client's connection, not the origin's. */
export const HOP_BY_HOP_HEADERS = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** What a WebSocket handoff keeps: the upgrade itself is the point. */
const WEBSOCKET_HANDSHAKE = new Set(['connection', 'upgrade']);
/** Never forwarded: the two lists above, once each (worked out once, not per request). */
const NEVER_FORWARDED = [...new Set([...UNKEYED_REQUEST_HEADERS, ...HOP_BY_HOP_HEADERS])];
const STATIC_FILE_PREFIXES = ['/emoji/', '/sounds/', '/avatars/', '/headers/', '/shortcuts/'];
const STATIC_FILE_PATHS = new Set(['/favicon.ico', '/robots.txt', '/embed.js', '/oops.png', '/badge.png']);
const INSTANCE_ALLOWLIST = new Set(['/api/v1/instance', '/api/v2/instance', '/api/v1/custom_emojis']);
const PRIVATE_APP_PREFIXES = ['/oauth/', '/auth/', '/settings/', '/admin/', '/deck/'];
const DISCOVERY_PATHS = new Set(['/.well-known/nodeinfo', '/.well-known/host-meta']);
const ACTIVITYPUB_PREFIXES = ['/users/', '/@', '/tags/', '/ap/'];
/** The per-object surrogate key: host + path (no query), omitted when too long for Fastly. */
export function objectSurrogateKey(host: string, path: string): string | null {
  const key = `${host}${path}`;
  return key.length <= MAX_SURROGATE_KEY_LENGTH ? key : null;
}

function changes(set: Record<string, string> = {}, remove: string[] = [], removePrefixes: string[] = []): HeaderChanges {
  return { set, remove, removePrefixes };
}

/** Host without port, lower-case. */
export function requestHost(url: URL, headers: Headers): string {
  const host = headers.get('host') ?? url.host;
  return host.replace(/:\d+$/, '').toLowerCase();
}

function startsWithAny(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => path.startsWith(prefix));
}

function hasQueryParam(url: URL, name: string): boolean {
  // Most requests have no query: no need to parse one.
  if (url.search === '') return false;
  const wanted = name.toLowerCase();
  for (const key of url.searchParams.keys()) if (key.toLowerCase() === wanted) return true;
  return false;
}

/** Headers the client's `Connection` names are hop-by-hop too. */
function connectionOptions(headers: Headers): string[] {
  const connection = headers.get('connection');
  if (connection === null) return [];
  return connection
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0 && name !== 'close' && name !== 'keep-alive');
}

/** Doorkeeper also reads a token from the query (`access_token`, `bearer_token`). */
const QUERY_TOKENS = ['access_token', 'bearer_token'];

/** The credentials the request carries, by the header name a response would `Vary` on. */
function credentialsOf(headers: Headers, url: URL): string[] {
  const present: string[] = [];
  if (headers.get('authorization') || QUERY_TOKENS.some((name) => hasQueryParam(url, name))) present.push('authorization');
  if (headers.get('cookie')) present.push('cookie');
  return present;
}

function isPresigned(url: URL): boolean {
  return hasQueryParam(url, 'X-Amz-Signature') || hasQueryParam(url, 'X-Goog-Signature') || (hasQueryParam(url, 'Signature') && hasQueryParam(url, 'Expires'));
}

// One row of the routing table, before switch state and credentials are applied.
interface Route {
  name: string;
  behaviour: 'pass' | 'cache';
  reason: string;
  surrogateClass?: SurrogateClass;
  ttlRule?: TtlRule;
  swr?: number;
  maxTtl?: number;
  errorTtl?: number;
  /**
   * Cookie/Authorization: `pass` the request; `strip` them and still cache (responses cannot depend
   * on them); or `public-only`: forward them, and store or answer from the cache only responses that
   * are public and do not vary on them (what Mastodon's `cache_even_if_authenticated!` with
   * `vary_by ''` produce).
   */
  credentials?: 'pass' | 'strip' | 'public-only';
  /** One URL, several representations: `accept` keys on the Accept kind, `host-meta` on json/xrd. */
  negotiation?: 'accept' | 'host-meta';
  /** HTML rendered in the request's locale: the normalised Accept-Language goes into the key. */
  localised?: boolean;
  /** The query is neither in the key nor sent to the origin (files; Mastodon's Fastly module does the same). */
  dropQuery?: boolean;
  /** The files-domain rules: security headers, no Set-Cookie or x-amz-*, immutable in browsers. */
  filesRules?: boolean;
  streaming?: Streaming;
}

/** Files-domain rules; `mountPath` is where the files sit in the client's URL (`/system` on the main domain). */
function filesRoute(name: string, path: string, url: URL, mountPath: string): Route {
  if (path.startsWith(`${mountPath}/backups/`) || isPresigned(url)) {
    return {
      name: 'files_private',
      behaviour: 'pass',
      reason: 'private object (backup or presigned URL): never stored',
      filesRules: true,
      credentials: 'strip',
    };
  }
  return {
    name,
    behaviour: 'cache',
    reason: 'media file: stored up to 48 h, errors for seconds',
    surrogateClass: 'media',
    ttlRule: { kind: 'edge-default', ttl: POLICY_TTLS.filesMax },
    maxTtl: POLICY_TTLS.filesMax,
    errorTtl: POLICY_TTLS.filesError,
    credentials: 'strip',
    dropQuery: true,
    filesRules: true,
  };
}

/** Rule 7: answers that never read the session (custom CSS, manifest, well-known documents, the instance actor). */
const SESSIONLESS_PATHS = new Set(['/custom.css', '/manifest']);

/** What a row of the routing table looks at: the method, the normalised lower-case path, the URL and headers. */
interface RouteRequest {
  method: string;
  path: string;
  url: URL;
  headers: Headers;
}

interface RouteRow {
  matches: (request: RouteRequest) => boolean;
  route: (request: RouteRequest) => Route;
}

const fixed = (route: Route) => () => route;
const originLifetime = { ttlRule: { kind: 'origin' }, maxTtl: POLICY_TTLS.originMax } as const;

/**
 * The main domain's routes, in order: the first row that matches decides. This is the table that
 * changes when Mastodon does; edge/README.md shows it row by row (routes-readme.test.ts keeps the two in step).
 */
export const MAIN_ROUTES: readonly RouteRow[] = [
  {
    matches: ({ path }) => path === '/health' || path === '/api/v1/streaming/health',
    route: fixed({ name: 'health', behaviour: 'pass', reason: 'health check: never stored' }),
  },
  {
    matches: ({ path }) => path === '/api/v1/streaming' || path.startsWith('/api/v1/streaming/'),
    route: ({ headers }) => {
      const websocket = /websocket/i.test(headers.get('upgrade') ?? '');
      return {
        name: 'streaming',
        behaviour: 'pass',
        reason: websocket ? 'streaming: WebSocket handed off to the origin' : 'streaming: server-sent events, unbuffered',
        streaming: websocket ? 'websocket' : 'sse',
      };
    },
  },
  {
    matches: ({ path }) => path === '/inbox' || /^\/users\/[^/]+\/inbox$/.test(path),
    route: fixed({ name: 'inbox', behaviour: 'pass', reason: 'ActivityPub inbox: passed untouched' }),
  },
  {
    matches: ({ method }) => !READ_METHODS.has(method),
    route: ({ method }) => ({ name: 'write', behaviour: 'pass', reason: `${method} is never stored: passed untouched` }),
  },
  {
    matches: ({ path }) => path.startsWith('/packs/') || path.startsWith('/assets/'),
    route: fixed({
      name: 'fingerprinted_asset',
      behaviour: 'cache',
      reason: 'fingerprinted asset: 28 days',
      surrogateClass: 'static',
      ttlRule: { kind: 'edge-override', ttl: POLICY_TTLS.fingerprinted },
      errorTtl: POLICY_TTLS.mainStaticError,
      credentials: 'strip',
    }),
  },
  {
    matches: ({ path }) => path === '/sw.js',
    route: fixed({
      name: 'service_worker',
      behaviour: 'cache',
      reason: 'service worker: 5 minutes so deploys propagate',
      surrogateClass: 'static',
      ttlRule: { kind: 'edge-override', ttl: POLICY_TTLS.serviceWorker },
      errorTtl: POLICY_TTLS.mainStaticError,
      credentials: 'strip',
    }),
  },
  {
    matches: ({ path }) => startsWithAny(path, STATIC_FILE_PREFIXES) || STATIC_FILE_PATHS.has(path),
    route: fixed({
      name: 'static_file',
      behaviour: 'cache',
      reason: 'static file: 1 hour unless the origin says otherwise',
      surrogateClass: 'static',
      ttlRule: { kind: 'edge-default', ttl: POLICY_TTLS.staticFile },
      swr: POLICY_TTLS.staticFileSwr,
      errorTtl: POLICY_TTLS.mainStaticError,
      credentials: 'strip',
    }),
  },
  {
    matches: ({ path }) => path.startsWith('/system/'),
    route: ({ path, url }) => filesRoute('local_media', path, url, '/system'),
  },
  {
    matches: ({ path }) => INSTANCE_ALLOWLIST.has(path) || path.startsWith('/api/v1/instance/'),
    route: fixed({
      name: 'instance_api',
      behaviour: 'cache',
      reason: 'instance metadata: credentials forwarded, only public answers that ignore them are shared',
      surrogateClass: 'api',
      ...originLifetime,
      credentials: 'public-only',
    }),
  },
  {
    matches: ({ path }) => path.startsWith('/api/'),
    route: fixed({
      name: 'public_api',
      behaviour: 'cache',
      reason: 'API read: without credentials, per origin headers (cache_if_unauthenticated!)',
      surrogateClass: 'api',
      ...originLifetime,
      credentials: 'pass',
      localised: true,
    }),
  },
  {
    matches: ({ path }) => startsWithAny(path, PRIVATE_APP_PREFIXES) || path.startsWith('/filters') || path === '/home' || path === '/deck',
    route: fixed({ name: 'private_app', behaviour: 'pass', reason: 'OAuth, settings or app shell: never stored' }),
  },
  {
    matches: ({ path }) => path.startsWith('/media_proxy/'),
    route: fixed({ name: 'media_proxy', behaviour: 'pass', reason: 'media proxy: passed' }),
  },
  {
    matches: ({ path }) => SESSIONLESS_PATHS.has(path),
    route: fixed({
      name: 'sessionless',
      behaviour: 'cache',
      reason: 'custom CSS or manifest: per origin headers, the same for everyone',
      surrogateClass: 'static',
      ...originLifetime,
      credentials: 'public-only',
    }),
  },
  {
    matches: ({ path }) => path === '/.well-known/webfinger',
    route: fixed({
      name: 'webfinger',
      behaviour: 'cache',
      reason: 'WebFinger: per origin headers, query in the key',
      surrogateClass: 'activitypub',
      ...originLifetime,
      credentials: 'public-only',
    }),
  },
  {
    matches: ({ path }) => DISCOVERY_PATHS.has(path) || path.startsWith('/nodeinfo/'),
    route: ({ path }) => ({
      name: 'discovery',
      behaviour: 'cache',
      reason: 'NodeInfo/host-meta: per origin headers',
      surrogateClass: 'activitypub',
      ...originLifetime,
      credentials: 'public-only',
      negotiation: path === '/.well-known/host-meta' ? 'host-meta' : undefined,
    }),
  },
  {
    matches: ({ path }) => path === '/actor',
    route: fixed({
      name: 'instance_actor',
      behaviour: 'cache',
      reason: 'instance actor: per origin headers, Accept in the key',
      ...originLifetime,
      credentials: 'public-only',
      negotiation: 'accept',
      localised: true,
    }),
  },
  {
    matches: ({ path }) => startsWithAny(path, ACTIVITYPUB_PREFIXES),
    route: fixed({
      name: 'activitypub_or_profile',
      behaviour: 'cache',
      reason: 'ActivityPub or profile page: per origin headers, Accept in the key',
      ...originLifetime,
      credentials: 'pass',
      negotiation: 'accept',
      localised: true,
    }),
  },
];

/** Anything else on the main domain. */
export const PAGE_ROUTE: Route = {
  name: 'page',
  behaviour: 'cache',
  reason: 'page: per origin headers',
  surrogateClass: 'html',
  ...originLifetime,
  credentials: 'pass',
  localised: true,
};

function mainRoute(request: RouteRequest): Route {
  return MAIN_ROUTES.find((row) => row.matches(request))?.route(request) ?? PAGE_ROUTE;
}

function refuse(route: string, status: number, reason: string, response = changes()): RefuseDecision {
  return { action: 'refuse', origin: null, backend: null, route, status, location: null, cache: null, forward: null, response, streaming: null, reason };
}

function redirect(route: string, method: string, location: string, reason: string): RedirectDecision {
  // 308 keeps the method and body of a POST; browsers and crawlers get the classic 301.
  const status = READ_METHODS.has(method) ? 301 : 308;
  return {
    action: 'redirect',
    origin: null,
    backend: null,
    route,
    status,
    location,
    cache: null,
    forward: null,
    response: changes({ 'strict-transport-security': HSTS }),
    streaming: null,
    reason,
  };
}

/**
 * Step one: what the edge does with a request, before the origin is asked.
 * `cachingOn` is the switch `caching:<host>` of the request's host.
 */
export function decideRequest(facts: RequestFacts, site: SiteConfig | null, cachingOn: boolean): Decision {
  const method = facts.method.toUpperCase();
  let url: URL;
  try {
    url = new URL(facts.url);
  } catch {
    return refuse('bad_request', 400, `not an absolute URL: ${facts.url}`);
  }
  const host = requestHost(url, facts.headers);
  // Normalised once: routes, the cache key and the origin URL all see this one path.
  const normal = normalisePath(url.pathname);
  const pathAndQuery = `${normal.path}${url.search}`;

  if (!site) return refuse('unknown_host', 421, 'no site configuration: the edge serves no host');
  const role = Object.hasOwn(site.hosts, host) ? site.hosts[host]!.role : null;
  if (role === null) {
    return refuse('unknown_host', 421, `unknown host ${host}: the edge is not an open proxy`);
  }
  if (role === 'redirect') {
    const canonical = site.canonicalHost;
    if (canonical === null || canonical === host) return refuse('no_canonical_host', 421, `${host} redirects to the main host, and the site has none`);
    return redirect('host_redirect', method, `https://${canonical}${pathAndQuery}`, `${host} redirects to the main host ${canonical}`);
  }
  const origin: Origin = role === 'static' ? 'static' : 'main';
  if (url.protocol === 'http:') {
    return redirect('force_tls', method, `https://${host}${pathAndQuery}`, 'plain HTTP redirects to HTTPS');
  }
  if (origin === 'static' && !READ_METHODS.has(method)) {
    return refuse('files_method', 405, `${method} is not allowed on the files domain`, changes({ allow: 'GET, HEAD', 'strict-transport-security': HSTS }));
  }

  const route: Route = normal.opaque
    ? {
        name: 'opaque_path',
        behaviour: 'pass',
        reason: 'path holds an escaped slash, backslash or NUL: passed, never stored',
        credentials: origin === 'static' ? 'strip' : 'pass',
      }
    : origin === 'static'
      ? filesRoute('files', normal.routingPath, url, '')
      : mainRoute({ method, path: normal.routingPath, url, headers: facts.headers });
  const keepHandshake = route.streaming === 'websocket';
  const removed = [...NEVER_FORWARDED];
  for (const name of connectionOptions(facts.headers)) if (!removed.includes(name)) removed.push(name);
  const forwardHeaders = changes({ 'x-forwarded-proto': 'https' }, keepHandshake ? removed.filter((name) => !WEBSOCKET_HANDSHAKE.has(name)) : removed);
  const client = facts.clientAddress;
  if (client) {
    const previous = facts.headers.get('x-forwarded-for');
    forwardHeaders.set['x-forwarded-for'] = previous ? `${previous}, ${client}` : client;
  }
  // Rule 6: a file's query never reaches the key or the origin (presigned URLs were passed above).
  const target = route.dropQuery ? normal.path : pathAndQuery;
  let forwardUrl = `https://${host}${target}`;
  if (origin === 'static') {
    const prefix = (site.staticPathPrefix ?? '').replace(/\/+$/, '');
    forwardUrl = `https://${site.staticHostHeader ?? host}${prefix}${target}`;
  }
  const credentials = credentialsOf(facts.headers, url);
  if (route.credentials === 'strip' || origin === 'static') forwardHeaders.remove.push('authorization', 'cookie');

  const signed = facts.headers.has('signature');

  const response = changes({ 'strict-transport-security': HSTS }, ['surrogate-control', 'surrogate-key']);
  if (route.filesRules) {
    Object.assign(response.set, FILES_RESPONSE_HEADERS);
    response.remove.push('set-cookie');
    response.removePrefixes.push('x-amz-');
  }

  const base: PassDecision = {
    action: 'pass',
    origin,
    backend: site.backends[origin],
    route: route.name,
    status: null,
    location: null,
    cache: null,
    forward: { url: forwardUrl, headers: forwardHeaders },
    response,
    streaming: route.streaming ?? null,
    reason: route.reason,
  };
  if (route.behaviour === 'pass') return base;
  if (!cachingOn) return { ...base, reason: `caching is off for ${host}: pass-through` };
  if (credentials.length > 0 && route.credentials === 'pass') {
    return { ...base, reason: 'request carries Cookie or Authorization: never stored (rule 1)' };
  }

  // The origin must answer the representation the key names, so the edge sends the normalised
  // Accept and Accept-Language (a response's Vary then splits on those, a few values at most).
  // A signed GET may have signed them: theirs go untouched and only the key uses the kind.
  const set: Record<string, string> = {};
  const remove: string[] = [];
  let variant = '';
  let surrogateClass: SurrogateClass = route.surrogateClass ?? 'html';
  if (route.negotiation === 'accept') {
    const kind = acceptKind(facts.headers.get('accept'));
    variant = `#accept=${kind}`;
    surrogateClass = route.surrogateClass ?? (kind === 'activitypub' ? 'activitypub' : 'html');
    set.accept = NORMALISED_ACCEPT[kind];
    // Rule 4: ActivityPub JSON ignores the locale.
    if (kind === 'activitypub') remove.push('accept-language');
  } else if (route.negotiation === 'host-meta') {
    const kind = hostMetaKind(facts.headers.get('accept'));
    variant = `#accept=${kind}`;
    if (kind === 'json') set.accept = 'application/json';
    else remove.push('accept');
  }
  if (route.localised && !remove.includes('accept-language')) {
    const language = normaliseLanguage(facts.headers.get('accept-language'));
    if (language === null) remove.push('accept-language');
    else set['accept-language'] = language;
  }
  const forward = signed
    ? base.forward
    : { url: forwardUrl, headers: { ...forwardHeaders, set: { ...forwardHeaders.set, ...set }, remove: [...forwardHeaders.remove, ...remove] } };

  // Who may be answered from the cache: a signed request or a credentialed one on a public-only
  // route gets only public responses that do not vary on what it carries.
  const mustNotVaryOn = [...(signed ? ['signature'] : []), ...(route.credentials === 'public-only' ? credentials : [])];
  const objectKey = objectSurrogateKey(host, normal.path);
  return {
    ...base,
    action: 'cache',
    forward,
    cache: {
      key: `${host}${target}${variant}`,
      ttlRule: route.ttlRule ?? { kind: 'origin' },
      swr: route.swr ?? 0,
      staleIfError: POLICY_TTLS.staleIfError,
      maxTtl: route.maxTtl ?? null,
      errorTtl: route.errorTtl ?? null,
      surrogateKeys: objectKey ? [surrogateClass, objectKey] : [surrogateClass],
      publicOnly: mustNotVaryOn,
      browserCacheControl: route.filesRules ? BROWSER_IMMUTABLE : null,
      keyedHeaders: route.negotiation ? ['accept'] : [],
    },
    reason: mustNotVaryOn.length > 0 ? `${route.reason}; carries ${mustNotVaryOn.join(', ')}: public responses that ignore it only` : route.reason,
  };
}

/**
 * A stored response may answer a request carrying `carried` (signature, authorization, cookie)
 * only if marked public and not varying on any of them.
 */
export function mayAnswerCredentialed(headers: Headers, carried: readonly string[]): boolean {
  if (carried.length === 0) return true;
  const vary = varyHeaders(headers);
  return parseDirectives(headers.get('cache-control')).has('public') && !carried.some((name) => vary.includes(name));
}

function notStored(reason: string): StorageDecision {
  return { store: false, ttl: null, swr: 0, sie: 0, surrogateKeys: [], vary: [], clientHeaders: changes(), reason };
}

/** Step two: may this origin response be stored for this request, and for how long. */
export function decideStorage(decision: Decision, response: { status: number; headers: Headers }, nowMs: number): StorageDecision {
  if (decision.action !== 'cache') return notStored(`not stored: request is ${decision.action === 'pass' ? 'passed' : 'answered by the edge'}`);
  const plan = decision.cache;
  const { status, headers } = response;
  if (!CACHEABLE_STATUSES.has(status)) return notStored(`not stored: status ${status} is not cacheable`);
  if (headers.has('set-cookie')) return notStored('not stored: response sets a cookie (rule 2)');
  const cacheControl = parseDirectives(headers.get('cache-control'));
  const surrogateControl = parseDirectives(headers.get('surrogate-control'));
  if (surrogateControl.has('no-store')) return notStored('not stored: Surrogate-Control no-store (rule 2)');
  if (cacheControl.has('private')) return notStored('not stored: Cache-Control private (rule 2)');
  // Surrogate-Control speaks to the edge and wins over Cache-Control (Fastly prefers it; it is
  // stripped before the browser): with its own max-age, Cache-Control no-store/no-cache are for browsers.
  const edgeLifetime = surrogateControl.has('max-age');
  for (const directive of ['no-store', 'no-cache']) {
    if (!edgeLifetime && cacheControl.has(directive)) return notStored(`not stored: Cache-Control ${directive} (rule 2)`);
  }
  const vary = varyHeaders(headers);
  if (vary.includes('*')) return notStored('not stored: Vary * (rule 2)');
  if (!mayAnswerCredentialed(headers, plan.publicOnly)) {
    return notStored(`not stored: the request carries ${plan.publicOnly.join(', ')} and the response is not public or varies on it (rule 1)`);
  }

  const freshness = freshnessOf(headers, surrogateControl, cacheControl, nowMs);
  const rule = plan.ttlRule;
  let ttl: number;
  let source: string;
  if (rule.kind === 'edge-override' && (status === 200 || status === 203) && freshness.source !== 'surrogate-control') [ttl, source] = [rule.ttl, 'edge TTL'];
  else if (freshness.explicit) [ttl, source] = [freshness.ttl, freshness.source];
  else if (rule.kind === 'edge-default') [ttl, source] = [rule.ttl, 'edge TTL'];
  else return notStored('not stored: no explicit freshness lifetime (rule 3)');
  // Origin lifetimes can be absurd (max-age=1e20): every edge lifetime has a cap.
  const cap = Math.min(plan.maxTtl ?? POLICY_TTLS.edgeMax, POLICY_TTLS.edgeMax);
  const capped = ttl > cap;
  ttl = Math.min(ttl, cap);
  const isError = status === 404 || status === 410;
  if (isError && plan.errorTtl !== null) ttl = Math.min(ttl, plan.errorTtl);
  if (ttl <= 0) return notStored('not stored: freshness lifetime is zero');

  const originKeys = (headers.get('surrogate-key') ?? '').split(/\s+/).filter((key) => key.length > 0);
  const clientHeaders = changes();
  if (plan.browserCacheControl !== null && status === 200) clientHeaders.set['cache-control'] = plan.browserCacheControl;
  return {
    store: true,
    ttl,
    swr: Math.min(freshness.swr || plan.swr, POLICY_TTLS.staleMax),
    sie: Math.min(Math.max(freshness.sie, plan.staleIfError), POLICY_TTLS.staleMax),
    surrogateKeys: [...new Set([...plan.surrogateKeys, ...originKeys])],
    // A signed fetch keeps the Accept it signed, so raw Accept values would split one
    // representation into a stored copy per server software; the key already names the kind.
    vary: vary.filter((name) => !plan.keyedHeaders.includes(name)),
    clientHeaders,
    reason: `stored for ${ttl}s (${source}${capped ? ', capped' : ''}${isError && plan.errorTtl !== null ? ', error lifetime capped' : ''})`,
  };
}
