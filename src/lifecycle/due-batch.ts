/** How one worker tick fills its batch of due records, and why. */
export interface DueBatchPlan {
  /** Most due records to read in states other than waiting_for_release: they go first. */
  others: number;
  /** Whether due waiting_for_release records are read, into the seats the others leave. */
  waiting: boolean;
  reason: string;
}

/**
 * The batch of a tick (`batchSize` records at most) when the probe budget has its next probe at
 * `probeAt`. Only probes of waiting domains draw from the budget, so the others (a free domain's
 * attach, validate and activation, its certificate, caching) are read first and never wait for a
 * probe: waiting domains denied a probe keep their old due time, so read together, oldest due
 * first, they would fill the batch whenever the budget has a probe, of which they can take one.
 * With a probe to give, one seat stays theirs (batches of two or more), so a crowd of others
 * cannot stall the pace.
 */
export function planDueBatch(input: { batchSize: number; probeAt: number; nowMs: number }): DueBatchPlan {
  const { batchSize, probeAt, nowMs } = input;
  if (probeAt > nowMs) {
    return { others: batchSize, waiting: false, reason: `no probe to give until ${new Date(probeAt).toISOString()}: waiting domains are not read` };
  }
  const others = Math.max(1, batchSize - 1);
  return { others, waiting: true, reason: `a probe to give: up to ${others} others first, waiting domains in the seats they leave` };
}
