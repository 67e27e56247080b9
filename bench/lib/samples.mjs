// Several samples of one scenario folded into one row: each figure's median over the samples, with its
// spread (min–max); the raw samples stay in the row.

const round = (v) => (v === undefined ? undefined : Number(v.toFixed(2)));

/** The median of numbers (undefined ones are left out). */
export function median(values) {
  const v = values.filter((x) => typeof x === "number").sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return round(v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2);
}

/** { min, max } of numbers, or undefined. */
export function spread(values) {
  const v = values.filter((x) => typeof x === "number");
  return v.length ? { min: round(Math.min(...v)), max: round(Math.max(...v)) } : undefined;
}

/** The figures a request scenario's samples are folded on. */
export const SCENARIO_FIGURES = ["p50_ms", "p95_ms", "p99_ms", "rps", "errors"];

/** Sums of status counts over samples. */
function sumStatuses(samples) {
  const out = {};
  for (const s of samples) {
    for (const [k, n] of Object.entries(s.statuses ?? {})) out[k] = (out[k] ?? 0) + n;
  }
  return out;
}

/**
 * One scenario's row from its samples (each a runLoad result, in the order run): medians of
 * SCENARIO_FIGURES at the top level, their spread, status counts and error samples over all samples.
 */
export function foldScenario(samples) {
  const [first] = samples;
  const row = {
    id: first.id,
    name: first.name,
    mode: first.mode,
    connections: first.connections,
    target_rate: first.target_rate,
    sample_count: samples.length,
  };
  for (const k of SCENARIO_FIGURES) row[k] = median(samples.map((s) => s[k]));
  row.spread = Object.fromEntries(SCENARIO_FIGURES.map((k) => [k, spread(samples.map((s) => s[k]))]));
  row.requests = samples.reduce((n, s) => n + s.requests, 0);
  row.errors_total = samples.reduce((n, s) => n + s.errors, 0);
  row.statuses = sumStatuses(samples);
  const bodies = samples.flatMap((s) => s.first_error_bodies ?? []).slice(0, 3);
  const reqErrors = samples.flatMap((s) => s.first_request_errors ?? []).slice(0, 3);
  if (bodies.length) row.first_error_bodies = bodies;
  if (reqErrors.length) row.first_request_errors = reqErrors;
  row.workerd_rss_peak_mib = Math.max(...samples.map((s) => s.workerd_rss_mib?.peak_mib ?? 0)) || undefined;
  row.samples = samples.map(({ id, name, mode, connections, target_rate, ...rest }) => rest);
  return row;
}

/** The figures complete runs are folded on. */
export const RUN_FIGURES = ["p50_ms", "p95_ms", "p99_ms", "runs_per_s", "runs_failed"];

/** One complete-runs row (one mode) from its samples. */
export function foldRuns(samples) {
  const [first] = samples;
  const row = {
    name: first.name,
    mode: first.mode,
    concurrency: first.concurrency,
    target_rate: first.target_rate,
    sample_count: samples.length,
  };
  for (const k of RUN_FIGURES) row[k] = median(samples.map((s) => s[k]));
  row.spread = Object.fromEntries(RUN_FIGURES.map((k) => [k, spread(samples.map((s) => s[k]))]));
  row.runs_completed = samples.reduce((n, s) => n + s.runs_completed, 0);
  row.runs_failed_total = samples.reduce((n, s) => n + s.runs_failed, 0);
  row.failures = [...new Set(samples.flatMap((s) => s.failures))].slice(0, 5);
  row.phases_p50_ms = Object.fromEntries(
    Object.keys(first.phases_p50_ms).map((k) => [k, median(samples.map((s) => s.phases_p50_ms[k]))]),
  );
  row.polls_per_run = median(samples.map((s) => s.polls_per_run));
  row.workerd_rss_peak_mib = Math.max(...samples.map((s) => s.workerd_rss_mib?.peak_mib ?? 0)) || undefined;
  row.samples = samples.map(({ name, mode, concurrency, target_rate, run_ids, ...rest }) => rest);
  return row;
}
