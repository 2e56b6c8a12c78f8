import { z } from 'zod';
import { BACKEND_NAMES, DOMAIN_ROLES, type SiteConfig } from './site-config';

// The site config as the control plane reads it back from a Config Store (a boundary: checked
// with zod). The edge checks the same shape without zod (edge/site-config-check.ts).

export const SiteConfigSchema = z.object({
  hosts: z.record(z.string(), z.object({ role: z.enum(DOMAIN_ROLES) })),
  canonicalHost: z.string().nullable(),
  backends: z.object({ main: z.string(), static: z.string() }).default({ main: BACKEND_NAMES.main, static: BACKEND_NAMES.static }),
  staticHostHeader: z.string().nullable().default(null),
  staticPathPrefix: z.string().nullable().default(null),
}) satisfies z.ZodType<SiteConfig, unknown>;

/** The stored value, or null when absent, not JSON or not a site config of this shape. */
export function parseStoredSiteConfig(text: string | null): SiteConfig | null {
  if (text === null) return null;
  try {
    const parsed = SiteConfigSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
