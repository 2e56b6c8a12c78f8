/** Defaults of the waiting schedule (docs/ARCHITECTURE.md). */
export const DEFAULT_RETRY = {
  /** Probe interval during the fast phase. */
  initialMs: 60_000,
  /**
   * The cap the probes back off to: about 30 writes an hour per waiting domain. The design said
   * about 10 minutes, then 5 (release detection under 300 s at p95); 2 lets the budget's even
   * pace bind from ten waiting domains on (one probe each per 144 s), so they are probed at the
   * round-robin limit instead of each at its own, slower schedule.
   */
  maxMs: 2 * 60_000,
  /** How long the fast phase lasts after the backoff starts. */
  fastPhaseMs: 60 * 60_000,
  /** Jitter as a fraction of the delay, either way. */
  jitter: 0.2,
  /** After this long waiting, the record raises a Stale condition (and keeps probing). */
  staleAfterMs: 7 * 24 * 60 * 60_000,
} as const;

export interface ProbeDelayInput {
  /** When the current backoff started (first refusal, or the last "retry now"). */
  waitingSinceMs: number;
  nowMs: number;
  initialMs?: number;
  maxMs?: number;
  fastPhaseMs?: number;
  jitter?: number;
  /** Uniform in [0, 1); inject a seeded one to replay. */
  random: () => number;
}

/**
 * How long to wait before the next probe of a domain held by another account.
 *
 * Fast phase: about every `initialMs` for the first `fastPhaseMs`. After it, each delay is as long
 * as the time spent past the fast phase (at least 2 × initial), so the delays double from probe to
 * probe until they reach `maxMs`. Being computed from time rather than from an attempt counter, the
 * schedule is the same after a crash, a restart or probes held back by the budget. Jitter spreads
 * probes of domains that started waiting together; the result never exceeds `maxMs`.
 */
export function nextProbeDelay(input: ProbeDelayInput): number {
  const maxMs = input.maxMs ?? DEFAULT_RETRY.maxMs;
  const initialMs = Math.min(input.initialMs ?? DEFAULT_RETRY.initialMs, maxMs);
  const fastPhaseMs = input.fastPhaseMs ?? DEFAULT_RETRY.fastPhaseMs;
  const jitter = input.jitter ?? DEFAULT_RETRY.jitter;
  const elapsed = Math.max(0, input.nowMs - input.waitingSinceMs);
  const base = elapsed < fastPhaseMs ? initialMs : Math.min(maxMs, Math.max(2 * initialMs, elapsed - fastPhaseMs));
  const jittered = base * (1 - jitter + 2 * jitter * input.random());
  return Math.round(Math.min(maxMs, Math.max(1, jittered)));
}

/** Short retry after Fastly was unavailable (5xx, timeout, reset): about half to one `initialMs`. */
export function unavailableDelay(input: { initialMs?: number; maxMs?: number; random: () => number }): number {
  const initialMs = Math.min(input.initialMs ?? DEFAULT_RETRY.initialMs, input.maxMs ?? DEFAULT_RETRY.maxMs);
  return Math.round(Math.max(1, initialMs * (0.5 + 0.5 * input.random())));
}

/** True once a domain has waited long enough to be flagged Stale. */
export function isStale(waitingSinceMs: number, nowMs: number, staleAfterMs: number = DEFAULT_RETRY.staleAfterMs): boolean {
  return nowMs - waitingSinceMs >= staleAfterMs;
}
