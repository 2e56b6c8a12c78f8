import { Hono } from 'hono';
import type { SimState } from './state';

// Fastly's edge as the simulator models it (docs/fastly-facts.md, "Domains held by another
// account"): a request is routed by its Host header to the service whose active version holds
// that exact host (or to a hold of /__sim/holds, which stands for one). A host no active service
// holds gets 500 "Fastly error: unknown domain", even while the API still refuses it to other
// accounts (the release delay) or a TLS subscription, a Domain Management record or a wildcard
// claims it: the edge cannot see those.

/** The active service (or hold) the edge routes `host` to, or null when it knows no such domain. */
export function servingClaim(state: SimState, host: string): string | null {
  const name = host.toLowerCase();
  for (const service of state.services.values()) {
    if (state.accounts.get(service.customerId)?.deleted) continue;
    const active = service.versions.find((version) => version.active);
    if (active?.domains.some((entry) => entry.name === name)) return service.id;
  }
  const held = state.holds.get(name);
  return held && !state.accounts.get(held)?.deleted ? `hold:${held}` : null;
}

/** The edge's Hono app: any method, any path; only the Host header matters. */
export function edgeRoutes(state: SimState): Hono {
  const app = new Hono();
  app.all('*', (c) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
    const serving = servingClaim(state, host);
    if (serving === null) {
      return c.text(`Fastly error: unknown domain: ${host}. Please check that this domain has been added to a service.`, 500, { 'x-served-by': 'cache-sim' });
    }
    // What the service answers is its business; the hint only asks whether one answers at all.
    return c.text(`served by ${serving}`, 200, { 'x-served-by': 'cache-sim' });
  });
  return app;
}
