import type { CachedObject, EdgeCache } from '../../edge/local/cache';
import type { OriginAnswer } from './origin';
import type { Served } from './served';
import { answerOf, taggedHeaders } from './tagged-answer';

// One request through the edge's local cache (Fastly's semantics: TTL, stale-while-revalidate,
// stale-if-error, Vary), with the storage verdict of whichever policy is under test.

export interface StorageVerdict {
  store: boolean;
  ttl: number | null;
  swr: number;
  sie: number;
  surrogateKeys: string[];
}

const EMPTY_BODY = new Uint8Array(0);

function storedObject(answer: OriginAnswer, verdict: StorageVerdict, requestHeaders: Headers, nowMs: number): CachedObject {
  const headers = taggedHeaders(answer);
  const varyNames = (answer.headers.get('vary') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  return {
    status: answer.status,
    statusText: '',
    headers: [...headers],
    body: EMPTY_BODY,
    storedAt: nowMs,
    ttl: verdict.ttl ?? 0,
    swr: verdict.swr,
    sie: verdict.sie,
    surrogateKeys: verdict.surrogateKeys,
    vary: varyNames.map((name) => [name, requestHeaders.get(name)]),
  };
}

export interface ThroughCacheInput {
  cache: EdgeCache;
  key: string;
  /** The request as the cache sees it (Vary is matched against these). */
  requestHeaders: Headers;
  nowMs: number;
  ask(): OriginAnswer;
  verdict(answer: OriginAnswer): StorageVerdict;
}

export function serveThroughCache(input: ThroughCacheInput): Served {
  const { cache, key, requestHeaders, nowMs } = input;
  const fetchAndMaybeStore = (): OriginAnswer => {
    const answer = input.ask();
    const verdict = input.verdict(answer);
    if (verdict.store && verdict.ttl !== null && verdict.ttl > 0) cache.store(key, storedObject(answer, verdict, requestHeaders, nowMs));
    return answer;
  };
  const lookup = cache.lookup(key, requestHeaders);
  if (lookup && lookup.state !== 'error-only') {
    const stored = answerOf(lookup.object.status, new Headers(lookup.object.headers));
    if (lookup.state === 'fresh') return { answer: stored, fromCache: true, fromStore: true, originRequests: 0, originBytes: 0 };
    // Served stale while the object is refreshed in the background.
    const refreshed = fetchAndMaybeStore();
    return { answer: stored, fromCache: true, fromStore: true, originRequests: 1, originBytes: refreshed.bytes };
  }
  const answer = fetchAndMaybeStore();
  return { answer, fromCache: false, fromStore: false, originRequests: 1, originBytes: answer.bytes };
}
