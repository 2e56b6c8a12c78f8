import { exponential, hashUnit, type Random, randomInt, seededRandom, weightedPick, ZipfSampler } from '../random';
import { FanOut, type FreshPost } from './fan-out';
import { ACTIVE_USERS, ANONYMOUS_BROWSERS, LOCAL_ACCOUNTS, MAIN_HOST, REMOTE_SERVERS, STATIC_HOST } from './site';

// A seeded stream of requests to a Mastodon instance, in the mix of docs/mastodon-edge-policy.md
// ("Request mix for benchmarks"): what is asked, by whom, with which credentials and headers.
// What the origin answers is origin.ts.

export type Resource =
  // files domain
  | 'avatar'
  | 'preview'
  | 'original'
  | 'video'
  // main-domain static files
  | 'pack'
  | 'emoji'
  | 'missing-image'
  | 'sound'
  | 'root-file'
  | 'service-worker'
  // API
  | 'api-instance'
  | 'api-private'
  | 'api-anonymous'
  | 'streaming'
  // federation
  | 'inbox'
  | 'actor'
  | 'status'
  | 'collection'
  | 'webfinger'
  | 'nodeinfo'
  // anonymous and signed-in pages
  | 'account-page'
  | 'tag-page';

export type ClientKind = 'browser' | 'user' | 'app' | 'server';

export interface BenchRequest {
  /** Simulated time (epoch ms). */
  atMs: number;
  method: string;
  host: string;
  /** Path and query, e.g. `/users/user12/statuses/345`. */
  target: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Who asks: `browser:12`, `user:3`, `app:3`, `server:7`. What is private to them is theirs. */
  client: string;
  clientKind: ClientKind;
  resource: Resource;
  /** Object number within its resource family (a status is one object, whether HTML or JSON). */
  objectId: number;
}

/** Share of all requests per class (the policy document's ranges, mid-range, summing to 1). */
const REQUEST_MIX = {
  filesDomain: 0.48,
  mainStatic: 0.07,
  authenticatedApi: 0.17,
  /** The web app of logged-out visitors (and embeds) reading public statuses, accounts, timelines, trends. */
  anonymousApi: 0.04,
  inboxPosts: 0.14,
  federationGets: 0.06,
  html: 0.039,
  streaming: 0.001,
} as const;

/** Catalogue sizes: how many distinct objects each family has. */
export const CATALOGUE = {
  avatar: 200_000,
  preview: 500_000,
  original: 250_000,
  video: 50_000,
  pack: 400,
  emoji: 3_600,
  status: 300_000,
  tag: 2_000,
} as const;

/** Popularity is Zipf-like with this exponent (web objects measure 0.6–0.9; Breslau et al. 1999). */
const ZIPF_EXPONENT = 0.8;

/** Share of server fetches of statuses and media that go to posts still fanning out (the rest: Zipf over the catalogue). */
const FRESH_SHARE = { status: 0.6, media: 0.6, actor: 0.3 } as const;

/** Share of anonymous status views (pages and the web app's API reads) that follow a link to a post still fanning out. */
const FRESH_VIEW_SHARE = 0.3;

/** Requests per simulated second (a ~30,000-account instance; about 1.7 M requests a day). */
export const REQUESTS_PER_SECOND = 20;

export const START_MS = Date.parse('2026-01-05T12:00:00Z');

const BROWSER_LANGUAGES: ReadonlyArray<readonly [string, number]> = [
  ['en-US,en;q=0.9', 30],
  ['en-GB,en;q=0.9', 8],
  ['en-US,en;q=0.5', 6],
  ['de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7', 12],
  ['de,en-US;q=0.7,en;q=0.3', 5],
  ['nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7', 8],
  ['fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7', 7],
  ['es-ES,es;q=0.9', 5],
  ['ja,en-US;q=0.9,en;q=0.8', 6],
  ['pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7', 4],
  ['en', 5],
  ['it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7', 4],
];

/** Accept sent for ActivityPub fetches, by the remote server's software. */
const ACTIVITYPUB_ACCEPTS: ReadonlyArray<readonly [string, number]> = [
  ['application/activity+json, application/ld+json', 70], // Mastodon
  ['application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 10], // Misskey
  ['application/activity+json', 10], // Pleroma, Akkoma
  ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 5],
  ['application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/activity+json;q=0.9', 5],
];

const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const IMAGE_ACCEPT = 'image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5';
const BROWSER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

function pickFromUnit<T>(unit: number, choices: ReadonlyArray<readonly [T, number]>): T {
  return weightedPick({ next: () => unit }, choices);
}

function browserLanguage(browser: number): string {
  return pickFromUnit(hashUnit(0x1a46, browser), BROWSER_LANGUAGES);
}

function serverAccept(server: number): string {
  return pickFromUnit(hashUnit(0xacce, server), ACTIVITYPUB_ACCEPTS);
}

/** The account that wrote a status. */
function statusAuthor(status: number): number {
  return Math.floor(hashUnit(0xa07, status) * LOCAL_ACCOUNTS);
}

function mediaPath(resource: 'avatar' | 'preview' | 'original' | 'video', id: number): string {
  const digits = String(100_000_000_000 + id).slice(1);
  const partition = `${digits.slice(0, 3)}/${digits.slice(3, 6)}/${digits.slice(6, 9)}`;
  const remote = hashUnit(0xcac4e, id, resource.length) < 0.7 ? '/cache' : '';
  const name = id.toString(16).padStart(16, '0');
  if (resource === 'avatar') return `${remote}/accounts/avatars/${partition}/original/${name}.png`;
  if (resource === 'preview') return `${remote}/media_attachments/files/${partition}/small/${name}.jpg`;
  if (resource === 'original') return `${remote}/media_attachments/files/${partition}/original/${name}.jpg`;
  return `${remote}/media_attachments/files/${partition}/original/${name}.mp4`;
}

const ROOT_FILES = ['/favicon.ico', '/robots.txt', '/embed.js', '/badge.png', '/oops.png'];
const SOUNDS = ['/sounds/boop.ogg', '/sounds/boop.mp3', '/sounds/boop.opus', '/sounds/boop.m4a'];
const MISSING_IMAGES = ['/avatars/original/missing.png', '/headers/original/missing.png'];
const INSTANCE_ENDPOINTS: ReadonlyArray<readonly [string, number]> = [
  ['/api/v2/instance', 40],
  ['/api/v1/instance', 30],
  ['/api/v1/custom_emojis', 25],
  ['/api/v1/instance/rules', 5],
];
const NODEINFO_PATHS: ReadonlyArray<readonly [string, number]> = [
  ['/.well-known/nodeinfo', 40],
  ['/nodeinfo/2.0', 40],
  ['/.well-known/host-meta', 20],
];
const COLLECTIONS = ['outbox', 'followers', 'following', 'collections/featured'];
const PRIVATE_READS: ReadonlyArray<readonly [(user: number, n: number) => string, number]> = [
  [() => '/api/v1/timelines/home?limit=40', 30],
  [() => '/api/v1/notifications?limit=30', 20],
  [() => '/api/v1/markers?timeline[]=home&timeline[]=notifications', 10],
  [(_, n) => `/api/v1/accounts/relationships?id[]=${n % LOCAL_ACCOUNTS}`, 15],
  [(_, n) => `/api/v1/statuses/${n}/context`, 15],
  [() => '/api/v1/accounts/verify_credentials', 10],
];
/**
 * What the web app of a logged-out visitor reads: the endpoints with `cache_if_unauthenticated!`
 * (statuses and their context, accounts, timelines, trends, directory, polls), and now and then
 * one that needs a login (answered 401 `private, no-store`).
 */
const ANONYMOUS_READS: ReadonlyArray<readonly [string, number]> = [
  ['status', 25],
  ['context', 20],
  ['account', 10],
  ['account-statuses', 15],
  ['trends', 10],
  ['public-timeline', 8],
  ['tag-timeline', 5],
  ['directory', 2],
  ['poll', 3],
  ['needs-login', 2],
];
const TRENDS = ['statuses', 'tags', 'links'];
/** What Mastodon's web app (axios) sends as Accept. */
const WEB_APP_ACCEPT = 'application/json, text/plain, */*';

const PRIVATE_WRITES: ReadonlyArray<readonly [(n: number) => string, number]> = [
  [() => '/api/v1/statuses', 40],
  [(n) => `/api/v1/statuses/${n}/favourite`, 40],
  [(n) => `/api/v1/statuses/${n}/reblog`, 20],
];

export interface WorkloadOptions {
  seed: number;
  requests: number;
}

/** Generates the request stream; the same seed gives the same requests. */
export class MastodonWorkload {
  private readonly random: Random;
  private readonly samplers = new Map<number, ZipfSampler>();
  private readonly fanOut: FanOut;
  private nowMs = START_MS;

  constructor(private readonly options: WorkloadOptions) {
    this.random = seededRandom(options.seed);
    this.fanOut = new FanOut(seededRandom(options.seed + 0xfa2), START_MS);
  }

  /** A post still fanning out, for a share of server fetches; null for the rest. */
  private fresh(share: number, withMedia: boolean): FreshPost | null {
    return this.chance(share) ? this.fanOut.pick(this.nowMs, withMedia) : null;
  }

  get durationMs(): number {
    return (this.options.requests / REQUESTS_PER_SECOND) * 1000;
  }

  *requests(): Generator<BenchRequest> {
    for (let index = 0; index < this.options.requests; index++) {
      this.nowMs += exponential(this.random, 1000 / REQUESTS_PER_SECOND);
      yield this.next();
    }
  }

  private popular(size: number): number {
    let sampler = this.samplers.get(size);
    if (!sampler) {
      sampler = new ZipfSampler(size, ZIPF_EXPONENT);
      this.samplers.set(size, sampler);
    }
    return sampler.sample(this.random);
  }

  private chance(probability: number): boolean {
    return this.random.next() < probability;
  }

  private next(): BenchRequest {
    const kind = weightedPick(this.random, Object.entries(REQUEST_MIX) as [keyof typeof REQUEST_MIX, number][]);
    switch (kind) {
      case 'filesDomain':
        return this.filesRequest();
      case 'mainStatic':
        return this.staticRequest();
      case 'authenticatedApi':
        return this.chance(0.08) ? this.instanceApiRequest() : this.privateApiRequest();
      case 'anonymousApi':
        return this.anonymousApiRequest();
      case 'inboxPosts':
        return this.inboxRequest();
      case 'federationGets':
        return this.federationRequest();
      case 'html':
        return this.pageRequest();
      case 'streaming':
        return this.streamingRequest();
    }
  }

  private browser(signedIn: boolean) {
    const id = signedIn ? randomInt(this.random, ACTIVE_USERS) : randomInt(this.random, ANONYMOUS_BROWSERS);
    const language = browserLanguage(signedIn ? ANONYMOUS_BROWSERS + id : id);
    return signedIn
      ? { client: `user:${id}`, clientKind: 'user' as const, id, language }
      : { client: `browser:${id}`, clientKind: 'browser' as const, id, language };
  }

  private sessionCookie(user: number): string {
    return `_mastodon_session=s${user}x${(user * 2654435761) >>> 0}; remember_user_token=r${user}`;
  }

  private bearer(user: number): string {
    return `Bearer tok${user}x${(user * 40503) >>> 0}`;
  }

  private server(): number {
    return this.popular(REMOTE_SERVERS);
  }

  private signature(server: number): string {
    const signature = Math.floor(this.random.next() * 2 ** 48).toString(36);
    return `keyId="https://server${server}.example/actor#main-key",algorithm="rsa-sha256",headers="(request-target) host date accept",signature="${signature}"`;
  }

  private request(fields: Omit<BenchRequest, 'atMs'>): BenchRequest {
    return { atMs: this.nowMs, ...fields };
  }

  private filesRequest(): BenchRequest {
    const resource = weightedPick(this.random, [
      ['avatar', 0.5],
      ['preview', 0.35],
      ['original', 0.135],
      // Players fetch video in ranges, so a video request moves less than the whole file; whole
      // files at a lower share stand in for that.
      ['video', 0.015],
    ] as const);
    const who = weightedPick(this.random, [
      ['browser', 0.55],
      ['user', 0.15],
      ['app', 0.05],
      ['server', 0.25],
    ] as const);
    // Servers that received a new post download its attachments (avatars come from the catalogue).
    const post = who === 'server' && resource !== 'avatar' ? this.fresh(FRESH_SHARE.media, true) : null;
    const objectId = post ? CATALOGUE[resource] + post.index * 4 + randomInt(this.random, post.attachments) : this.popular(CATALOGUE[resource]);
    const headers: Record<string, string> = { host: STATIC_HOST };
    let client: string;
    if (who === 'server') {
      const server = this.server();
      client = `server:${server}`;
      headers['user-agent'] = `Mastodon/4.3.2 (http.rb/5.2.0; +https://server${server}.example/)`;
      headers.accept = '*/*';
    } else if (who === 'app') {
      const user = randomInt(this.random, ACTIVE_USERS);
      client = `app:${user}`;
      headers.accept = '*/*';
    } else {
      const browser = this.browser(who === 'user');
      client = browser.client;
      headers.accept = resource === 'video' ? '*/*' : IMAGE_ACCEPT;
      headers['accept-language'] = browser.language;
      headers['user-agent'] = BROWSER_AGENT;
    }
    return this.request({
      method: 'GET',
      host: STATIC_HOST,
      target: mediaPath(resource, objectId),
      headers,
      client,
      clientKind: who,
      resource,
      objectId,
    });
  }

  private staticRequest(): BenchRequest {
    const resource = weightedPick(this.random, [
      ['pack', 0.6],
      ['emoji', 0.25],
      ['missing-image', 0.04],
      ['sound', 0.02],
      ['root-file', 0.05],
      ['service-worker', 0.04],
    ] as const);
    let objectId: number;
    let target: string;
    if (resource === 'pack') {
      objectId = this.popular(CATALOGUE.pack);
      target = `/packs/js/chunk-${objectId}-${((objectId * 2654435761) >>> 0).toString(16)}.js`;
    } else if (resource === 'emoji') {
      objectId = this.popular(CATALOGUE.emoji);
      target = `/emoji/${(0x1f300 + objectId).toString(16)}.svg`;
    } else {
      const paths = resource === 'missing-image' ? MISSING_IMAGES : resource === 'sound' ? SOUNDS : resource === 'root-file' ? ROOT_FILES : ['/sw.js'];
      objectId = this.popular(paths.length);
      target = paths[objectId]!;
    }
    const browser = this.browser(this.chance(0.4));
    const headers: Record<string, string> = {
      host: MAIN_HOST,
      accept: resource === 'pack' || resource === 'service-worker' ? '*/*' : IMAGE_ACCEPT,
      'accept-language': browser.language,
      'user-agent': BROWSER_AGENT,
    };
    if (browser.clientKind === 'user') headers.cookie = this.sessionCookie(browser.id);
    return this.request({ method: 'GET', host: MAIN_HOST, target, headers, client: browser.client, clientKind: browser.clientKind, resource, objectId });
  }

  private instanceApiRequest(): BenchRequest {
    const target = weightedPick(this.random, INSTANCE_ENDPOINTS);
    const objectId = INSTANCE_ENDPOINTS.findIndex(([path]) => path === target);
    const who = weightedPick(this.random, [
      ['app', 0.6],
      ['user', 0.25],
      ['browser', 0.15],
    ] as const);
    const headers: Record<string, string> = { host: MAIN_HOST, accept: 'application/json' };
    let client: string;
    if (who === 'browser') {
      client = `browser:${randomInt(this.random, ANONYMOUS_BROWSERS)}`;
    } else {
      const user = randomInt(this.random, ACTIVE_USERS);
      client = `${who}:${user}`;
      headers.authorization = this.bearer(user);
      if (who === 'user') headers.cookie = this.sessionCookie(user);
    }
    return this.request({ method: 'GET', host: MAIN_HOST, target, headers, client, clientKind: who, resource: 'api-instance', objectId });
  }

  private privateApiRequest(): BenchRequest {
    const user = randomInt(this.random, ACTIVE_USERS);
    const who = this.chance(0.6) ? ('app' as const) : ('user' as const);
    const n = this.popular(CATALOGUE.status);
    const write = this.chance(0.15);
    const target = write ? weightedPick(this.random, PRIVATE_WRITES)(n) : weightedPick(this.random, PRIVATE_READS)(user, n);
    const headers: Record<string, string> = { host: MAIN_HOST, accept: 'application/json', authorization: this.bearer(user) };
    if (who === 'user') headers.cookie = this.sessionCookie(user);
    if (write) headers['content-type'] = 'application/json';
    return this.request({
      method: write ? 'POST' : 'GET',
      host: MAIN_HOST,
      target,
      headers,
      client: `${who}:${user}`,
      clientKind: who,
      resource: 'api-private',
      objectId: user,
    });
  }

  /** A status a visitor looks at: often one a link shared elsewhere points to, still fanning out. */
  private viewedStatus(): number {
    const post = this.fresh(FRESH_VIEW_SHARE, false);
    return post ? CATALOGUE.status + post.index : this.popular(CATALOGUE.status);
  }

  private anonymousApiRequest(): BenchRequest {
    const read = weightedPick(this.random, ANONYMOUS_READS);
    let objectId = 0;
    let target: string;
    switch (read) {
      case 'status':
      case 'context':
        objectId = this.viewedStatus();
        target = read === 'status' ? `/api/v1/statuses/${objectId}` : `/api/v1/statuses/${objectId}/context`;
        break;
      case 'account':
        objectId = this.popular(LOCAL_ACCOUNTS);
        target = `/api/v1/accounts/lookup?acct=user${objectId}`;
        break;
      case 'account-statuses':
        objectId = this.popular(LOCAL_ACCOUNTS);
        target = `/api/v1/accounts/${objectId}/statuses?exclude_replies=true`;
        break;
      case 'trends':
        objectId = randomInt(this.random, TRENDS.length);
        target = `/api/v1/trends/${TRENDS[objectId]}`;
        break;
      case 'public-timeline':
        target = '/api/v1/timelines/public?local=true';
        break;
      case 'tag-timeline':
        objectId = this.popular(CATALOGUE.tag);
        target = `/api/v1/timelines/tag/tag${objectId}`;
        break;
      case 'directory':
        target = '/api/v1/directory?local=true&order=active';
        break;
      case 'poll':
        objectId = this.popular(CATALOGUE.status);
        target = `/api/v1/polls/${objectId}`;
        break;
      default:
        target = '/api/v1/timelines/home';
    }
    const browser = this.browser(false);
    return this.request({
      method: 'GET',
      host: MAIN_HOST,
      target,
      headers: { host: MAIN_HOST, accept: WEB_APP_ACCEPT, 'accept-language': browser.language, 'user-agent': BROWSER_AGENT },
      client: browser.client,
      clientKind: browser.clientKind,
      resource: 'api-anonymous',
      objectId,
    });
  }

  private streamingRequest(): BenchRequest {
    const user = randomInt(this.random, ACTIVE_USERS);
    return this.request({
      method: 'GET',
      host: MAIN_HOST,
      target: '/api/v1/streaming?stream=user',
      headers: { host: MAIN_HOST, accept: 'text/event-stream', authorization: this.bearer(user) },
      client: `app:${user}`,
      clientKind: 'app',
      resource: 'streaming',
      objectId: user,
    });
  }

  private inboxRequest(): BenchRequest {
    const server = this.server();
    const personal = this.chance(0.2);
    const account = personal ? this.popular(LOCAL_ACCOUNTS) : 0;
    return this.request({
      method: 'POST',
      host: MAIN_HOST,
      target: personal ? `/users/user${account}/inbox` : '/inbox',
      headers: {
        host: MAIN_HOST,
        'content-type': 'application/activity+json',
        date: new Date(this.nowMs).toUTCString(),
        digest: `SHA-256=${Math.floor(this.random.next() * 2 ** 48).toString(36)}`,
        signature: this.signature(server),
        'user-agent': `Mastodon/4.3.2 (http.rb/5.2.0; +https://server${server}.example/)`,
      },
      client: `server:${server}`,
      clientKind: 'server',
      resource: 'inbox',
      objectId: account,
    });
  }

  private federationRequest(): BenchRequest {
    const resource = weightedPick(this.random, [
      ['actor', 0.3],
      ['status', 0.4],
      ['collection', 0.1],
      ['webfinger', 0.15],
      ['nodeinfo', 0.05],
    ] as const);
    const server = this.server();
    const headers: Record<string, string> = {
      host: MAIN_HOST,
      date: new Date(this.nowMs).toUTCString(),
      'user-agent': `Mastodon/4.3.2 (http.rb/5.2.0; +https://server${server}.example/)`,
    };
    let objectId: number;
    let target: string;
    if (resource === 'webfinger' || resource === 'nodeinfo') {
      headers.accept = resource === 'webfinger' ? 'application/jrd+json, application/json' : 'application/json';
      if (resource === 'webfinger') {
        objectId = this.popular(LOCAL_ACCOUNTS);
        target = `/.well-known/webfinger?resource=acct:user${objectId}@${MAIN_HOST}`;
      } else {
        target = weightedPick(this.random, NODEINFO_PATHS);
        objectId = NODEINFO_PATHS.findIndex(([path]) => path === target);
      }
    } else {
      headers.accept = serverAccept(server);
      // Mastodon signs its fetches; a few servers and tools do not.
      if (this.chance(0.85)) headers.signature = this.signature(server);
      if (resource === 'actor') {
        const post = this.fresh(FRESH_SHARE.actor, false);
        objectId = post ? statusAuthor(CATALOGUE.status + post.index) : this.popular(LOCAL_ACCOUNTS);
        target = `/users/user${objectId}`;
      } else if (resource === 'status') {
        const post = this.fresh(FRESH_SHARE.status, false);
        objectId = post ? CATALOGUE.status + post.index : this.popular(CATALOGUE.status);
        // Resolving a pasted link fetches the HTML URL with an ActivityPub Accept.
        target = this.chance(0.1) ? `/@user${statusAuthor(objectId)}/${objectId}` : `/users/user${statusAuthor(objectId)}/statuses/${objectId}`;
      } else {
        const account = this.popular(LOCAL_ACCOUNTS);
        const collection = randomInt(this.random, COLLECTIONS.length);
        objectId = account * COLLECTIONS.length + collection;
        target = `/users/user${account}/${COLLECTIONS[collection]}`;
      }
    }
    return this.request({ method: 'GET', host: MAIN_HOST, target, headers, client: `server:${server}`, clientKind: 'server', resource, objectId });
  }

  private pageRequest(): BenchRequest {
    const resource = weightedPick(this.random, [
      ['account-page', 0.4],
      ['status', 0.5],
      ['tag-page', 0.1],
    ] as const);
    let objectId: number;
    let target: string;
    if (resource === 'account-page') {
      objectId = this.popular(LOCAL_ACCOUNTS);
      target = `/@user${objectId}`;
    } else if (resource === 'status') {
      objectId = this.viewedStatus();
      target = `/@user${statusAuthor(objectId)}/${objectId}`;
    } else {
      objectId = this.popular(CATALOGUE.tag);
      target = objectId === 0 ? '/about' : objectId === 1 ? '/explore' : `/tags/tag${objectId}`;
    }
    const browser = this.browser(this.chance(0.1));
    const headers: Record<string, string> = {
      host: MAIN_HOST,
      accept: HTML_ACCEPT,
      'accept-language': browser.language,
      'user-agent': BROWSER_AGENT,
    };
    if (browser.clientKind === 'user') headers.cookie = this.sessionCookie(browser.id);
    return this.request({ method: 'GET', host: MAIN_HOST, target, headers, client: browser.client, clientKind: browser.clientKind, resource, objectId });
  }
}
