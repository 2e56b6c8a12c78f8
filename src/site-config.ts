import { z } from 'zod';

// What the control plane writes into the Config Store and the edge app reads from it.
// Both change without a new service version.

/** Config Store key holding the site configuration as one JSON value. */
export const SITE_CONFIG_KEY = 'site';

/** Config Store key of the caching switch for one host: value `on` | `off`, absent = off. */
export function cachingKey(host: string): string {
  return `caching:${host}`;
}

/** Names of the static backends on the Fastly service. */
export const BACKEND_NAMES = { main: 'main_origin', static: 'static_origin' } as const;

export const SiteConfig = z.object({
  /** The instance's domain, e.g. `toot.example`; null until one is attached. */
  mainDomain: z.string().nullable(),
  /** The files domain (`S3_ALIAS_HOST`), e.g. `files.toot.example`; null when none. */
  staticDomain: z.string().nullable(),
  /** Redirect `www.<main>` to the main domain. */
  wwwRedirect: z.boolean().default(false),
  backends: z
    .object({ main: z.string(), static: z.string() })
    .default({ main: BACKEND_NAMES.main, static: BACKEND_NAMES.static }),
  /** Host header for the files origin (object storage bucket host); default: the backend's address. */
  staticHostHeader: z.string().nullable().default(null),
  /** Path prefix added in front of static paths (bucket prefix), e.g. `/toot-media`. */
  staticPathPrefix: z.string().nullable().default(null),
});
export type SiteConfig = z.infer<typeof SiteConfig>;
