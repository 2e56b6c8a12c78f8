import type { EdgeHint } from '../fastly/edge-hint';
import type { DomainRecord } from '../model';
import { withCondition } from './record';

/** While Fastly's edge still serves the host: one write probe an hour, for claims the edge cannot see. */
export const SERVED_PROBE_MS = 60 * 60_000;

export interface HintDecision {
  /** Spend a write probe now (else only look at the edge again at the next due time). */
  probe: boolean;
  reason: string;
}

/** When the domain was last probed by write, and last retried by the operator. */
export interface ProbeTimes {
  /** The last write probe; null before the first. */
  lastAttemptAtMs: number | null;
  /** The operator's latest "retry now"; null when never asked. */
  retryRequestedAtMs: number | null;
  nowMs: number;
}

/**
 * Whether a waiting domain that is due gets a write probe, given what Fastly's edge said of it.
 * The edge saying "unknown domain" means no active service holds the host any more: the release
 * is near (Fastly may still refuse it for a while), so probe at the fast rate. While an active
 * service still serves it the release cannot have happened, unless another claim the edge cannot
 * see (a TLS subscription, a Domain Management record, a wildcard) is what Fastly refuses on: so
 * a write probe now and then, and one when the operator asks for a retry (they may know that
 * claim just went). No answer from the edge: probe, as if it said unknown.
 */
export function decideOnHint(hint: EdgeHint, times: ProbeTimes, servedProbeMs: number = SERVED_PROBE_MS): HintDecision {
  const { lastAttemptAtMs, retryRequestedAtMs, nowMs } = times;
  if (hint === 'unknown') return { probe: true, reason: "Fastly's edge knows no such domain: probing at the fast rate" };
  if (hint === 'no_answer') return { probe: true, reason: "Fastly's edge did not answer: probing at the fast rate" };
  if (retryRequestedAtMs !== null && (lastAttemptAtMs === null || retryRequestedAtMs > lastAttemptAtMs)) {
    return { probe: true, reason: "Fastly's edge still serves the domain: a write probe all the same, as the operator asked for a retry" };
  }
  if (lastAttemptAtMs === null || nowMs - lastAttemptAtMs >= servedProbeMs) {
    return { probe: true, reason: "Fastly's edge still serves the domain: the hourly probe for claims it cannot see" };
  }
  return { probe: false, reason: "Fastly's edge still serves the domain: no probe until it stops, or an hour after the last" };
}

/** The record with the hint as its `EdgeServes` condition. */
export function withEdgeHint(record: DomainRecord, hint: EdgeHint, address: string, nowMs: number): DomainRecord {
  const status = hint === 'served' ? 'True' : hint === 'unknown' ? 'False' : 'Unknown';
  const reason = hint === 'served' ? 'Served' : hint === 'unknown' ? 'UnknownDomain' : 'NoAnswer';
  const message =
    hint === 'served'
      ? `Fastly's edge (${address}) still serves ${record.domain}: an active service of another account holds it`
      : hint === 'unknown'
        ? `Fastly's edge (${address}) answers "unknown domain" for ${record.domain}: no active service holds it`
        : `Fastly's edge (${address}) did not answer for ${record.domain}`;
  return withCondition(record, 'EdgeServes', status, reason, message, nowMs);
}
