// Latency statistics from raw samples (milliseconds): exact percentiles, no histogram buckets.

/** The p-th percentile (0–100) of sorted values, nearest-rank; undefined for no samples. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (v, digits = 2) => (v === undefined ? undefined : Number(v.toFixed(digits)));

/** p50/p95/p99/mean/max of latency samples in ms, rounded for the report. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : undefined;
  return {
    samples: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p95_ms: round(percentile(sorted, 95)),
    p99_ms: round(percentile(sorted, 99)),
    mean_ms: round(mean),
    max_ms: round(sorted[sorted.length - 1]),
  };
}

/** a / b rounded, or undefined when either is missing or b is zero. */
export function ratio(a, b, digits = 1) {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return Number((a / b).toFixed(digits));
}
