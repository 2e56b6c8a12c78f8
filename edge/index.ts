import { fire } from 'hono/service-worker';
import { CONFIG_STORE_LINK_NAME } from '../src/site-config';
import { createEdgeApp } from './app';
import { createFastlyPlatform } from './platform-fastly';

// Entry point of the Compute program (bin/main.wasm). It opens the service's own Config Store by
// the link name provisioning links it under; the backends are the static ones named in the site config.

// `fetch: undefined`: without it the adapter re-fetches every 404 the app returns (our origins'
// 404s included) through a global fetch that has no backend.
fire(createEdgeApp(createFastlyPlatform(CONFIG_STORE_LINK_NAME)), { fetch: undefined });
