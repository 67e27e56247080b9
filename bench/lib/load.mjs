// One load scenario with autocannon: closed-loop (fixed connections) or fixed-rate (overallRate).
// Latencies are recorded per response and summarised exactly (p50/p95/p99), because autocannon's own
// histogram has no p95 and, under overallRate, "corrects" every sample as if 1 ms were the
// intended interval (Math.ceil(1 / rate) in lib/run.js), which inflates its percentiles.
import autocannon from "autocannon";
import { summarize } from "./stats.mjs";

/**
 * Runs `spec` against base: { name, method, path, body?, setupRequest?, onResponse?, amount? } with
 * { connections, durationS, rate? }. Returns latency summary, throughput, errors and status counts.
 */
export async function runLoad(base, headers, spec, { connections, durationS, rate }) {
  const latencies = [];
  const statuses = {};
  const request = { method: spec.method, path: spec.path };
  if (spec.body !== undefined) request.body = spec.body;
  if (spec.setupRequest) request.setupRequest = spec.setupRequest;
  if (spec.onResponse) request.onResponse = spec.onResponse;
  const opts = {
    url: base,
    connections,
    duration: durationS,
    timeout: 30,
    headers,
    requests: [request],
    ...(spec.amount !== undefined ? { amount: Math.max(spec.amount, connections) } : {}),
    ...(rate ? { overallRate: rate, ignoreCoordinatedOmission: true } : {}),
  };
  const instance = autocannon(opts);
  instance.on("response", (_client, status, _bytes, ms) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  // `amount` overrides duration in autocannon; the clock still bounds the scenario.
  const timer = spec.amount !== undefined ? setTimeout(() => instance.stop(), durationS * 1000) : undefined;
  const result = await instance;
  if (timer) clearTimeout(timer);
  const total = Object.values(statuses).reduce((s, n) => s + n, 0);
  const ok = latencies.length;
  return {
    name: spec.name,
    mode: rate ? "fixed-rate" : "closed-loop",
    connections,
    target_rate: rate ?? null,
    duration_s: Number(result.duration.toFixed(2)),
    requests: total,
    ok,
    rps: Number((total / result.duration).toFixed(1)),
    ...summarize(latencies),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: total - ok,
    statuses,
  };
}
