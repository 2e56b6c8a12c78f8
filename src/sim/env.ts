import type { Account } from './state';

/** Hono environment of the Fastly API routes: the authenticated account. */
export type SimEnv = { Variables: { account: Account } };
