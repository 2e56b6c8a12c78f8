import type { Context } from 'hono';
import type { Origin, StorageDecision } from './policy';

// What the edge app needs from where it runs: Fastly Compute (platform-fastly.ts) or Node (local/).

export type CacheMode =
  | { mode: 'pass' }
  | {
      mode: 'cache';
      key: string;
      /** The policy's second step: called with the origin response before it may be stored. */
      decideStorage(response: Response): StorageDecision;
    };

export interface OriginRequest {
  origin: Origin;
  /** Fastly backend name. */
  backend: string;
  request: Request;
  cache: CacheMode;
}

export interface OriginResult {
  response: Response;
  /** Answered from the cache. */
  cached: boolean;
  /** A stale object stood in (revalidating, or the origin failed). */
  stale: boolean;
}

export type CacheState = 'hit' | 'miss' | 'stale' | 'pass' | 'none' | 'error';

export interface EdgeLogEntry {
  time: string;
  host: string;
  method: string;
  /** Path and query with access_token values redacted. */
  path: string;
  status: number;
  action: string;
  route: string;
  cache: CacheState;
  reason: string;
  durationMs: number;
}

export interface EdgePlatform {
  /** Ask an origin; throws when the origin cannot be reached. */
  fetchOrigin(request: OriginRequest): Promise<OriginResult>;
  /** Config Store lookup (`site`, `caching:<host>`): null when the key is absent. */
  readConfig(key: string): Promise<string | null>;
  /** Hand a WebSocket upgrade over to the origin, which gets `headers` (the policy's forward headers) instead of the client's. */
  handoffWebsocket(request: Request, headers: Headers, origin: Origin, backend: string): Promise<Response>;
  clientAddress(c: Context): string | null;
  log(entry: EdgeLogEntry): void;
  /** Milliseconds since the epoch (injectable for tests and replay). */
  now(): number;
}
