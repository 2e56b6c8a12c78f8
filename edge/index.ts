import { fire } from 'hono/service-worker';
import { createEdgeApp } from './app';
import { createFastlyPlatform } from './platform-fastly';

// Entry point of the Compute program (bin/main.wasm). The Config Store must be linked to the
// service under this name; the backends are the static ones named in the site config.
const CONFIG_STORE_NAME = 'edgeplane';

// `fetch: undefined`: without it the adapter re-fetches every 404 the app returns (our origins'
// 404s included) through a global fetch that has no backend.
fire(createEdgeApp(createFastlyPlatform(CONFIG_STORE_NAME)), { fetch: undefined });
