/** Nearest-rank percentile (0 < p <= 100) of an ascending-sorted list; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function sortedAscending(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}
