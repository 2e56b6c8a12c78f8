// The two schedules edgeplane is compared with, as their projects document them. edgeplane's own
// schedule is not here: the benchmark calls `nextProbeDelay` from src/lifecycle/schedule.ts.

const SECOND_MS = 1000;
const HOUR_MS = 3600 * SECOND_MS;

/** cert-manager's retry after a failed issuance: 1 h, doubling, capped at 32 h. */
export function certManagerDelay(failedAttempts: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(32 * HOUR_MS, HOUR_MS * 2 ** exponent);
}

/**
 * Cloudflare for SaaS's custom-hostname validation retries: 60 s × 1.05ⁿ for the first 10 tries,
 * then 60 s × 1.15ⁿ, capped at 4 h (n counts every try so far).
 */
export function cloudflareDelay(failedAttempts: number): number {
  const n = Math.max(0, failedAttempts - 1);
  const growth = n < 10 ? 1.05 : 1.15;
  return Math.min(4 * HOUR_MS, 60 * SECOND_MS * growth ** n);
}
