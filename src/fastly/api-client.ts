import * as Fastly from './fastly-classes';

export const FASTLY_API_URL = 'https://api.fastly.com';

/**
 * An ApiClient of the official `fastly` package that talks to `baseUrl`. fastly-js hard-codes
 * https://api.fastly.com in every operation and ignores `basePath`, so a superagent plugin
 * rewrites the URL prefix of each request instead.
 */
export function createFastlyApiClient(token: string, baseUrl: string = FASTLY_API_URL): FastlyApiClient {
  const client = new Fastly.ApiClient() as FastlyApiClient;
  client.authenticate(token);
  // fastly-js's API classes authenticate the client they are given with FASTLY_API_TOKEN whenever
  // that variable is set, over the token it was made with; a client for another account's token
  // (a migration's old account, in a process started with FASTLY_API_TOKEN) must keep its own.
  client.authenticate = () => {};
  const base = baseUrl.replace(/\/+$/, '');
  if (base !== FASTLY_API_URL) {
    client.plugins = [
      (request: { url: string }) => {
        if (request.url.startsWith(FASTLY_API_URL)) request.url = base + request.url.slice(FASTLY_API_URL.length);
      },
    ];
  }
  return client;
}

/** The parts of fastly-js's ApiClient we touch (the package ships no types). */
export interface FastlyApiClient {
  authenticate(token: string): void;
  plugins: Array<(request: { url: string }) => void> | null;
  timeout: number;
}
