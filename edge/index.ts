import { fire } from 'hono/service-worker';
import { createEdgeApp } from './app';
import { createFastlyPlatform } from './platform-fastly';

// Entry point of the Compute program (bin/main.wasm). The Config Store must be linked to the
// service under this name; the backends are the static ones named in the site config.
const CONFIG_STORE_NAME = 'edgeplane';

fire(createEdgeApp(createFastlyPlatform(CONFIG_STORE_NAME)));
