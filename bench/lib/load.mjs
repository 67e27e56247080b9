// One load scenario with autocannon: closed-loop (fixed connections) or fixed-rate (overallRate).
// Latencies are recorded per response and summarised exactly (p50/p95/p99), because autocannon's own
// histogram has no p95 and, under overallRate, "corrects" every sample as if 1 ms were the
// intended interval (Math.ceil(1 / rate) in lib/run.js), which inflates its percentiles. Every answer's
// latency counts, 2xx or not (a fast 500 is not left out, nor a slow 409); answers are counted by status and
// the first non-2xx bodies and connection errors are kept, so a failing scenario shows why.
const KEEP_ERRORS = 3;

import autocannon from "autocannon";
import { summarize } from "./stats.mjs";

/**
 * Runs `spec` against base: { name, method, path, body?, setupRequest?, onResponse?, amount? } with
 * { connections, durationS, rate? }. Returns latency summary, throughput, errors and status counts.
 */
export async function runLoad(base, headers, spec, { connections, durationS, rate }) {
  const latencies = [];
  const okLatencies = [];
  const statuses = {};
  const errorBodies = [];
  const errorMessages = [];
  const request = { method: spec.method, path: spec.path };
  if (spec.body !== undefined) request.body = spec.body;
  if (spec.setupRequest) request.setupRequest = spec.setupRequest;
  // Always set, so every scenario (floors too) pays the same for autocannon keeping the body.
  request.onResponse = (status, body, context, resHeaders) => {
    if ((status < 200 || status >= 300) && errorBodies.length < KEEP_ERRORS) {
      errorBodies.push({ status, body: String(body ?? "").slice(0, 300) });
    }
    spec.onResponse?.(status, body, context, resHeaders);
  };
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
    latencies.push(ms);
    if (status >= 200 && status < 300) okLatencies.push(ms);
  });
  instance.on("reqError", (err) => {
    if (errorMessages.length < KEEP_ERRORS) errorMessages.push(err?.message ?? String(err));
  });
  // `amount` overrides duration in autocannon; the clock still bounds the scenario.
  const timer = spec.amount !== undefined ? setTimeout(() => instance.stop(), durationS * 1000) : undefined;
  const result = await instance;
  if (timer) clearTimeout(timer);
  const total = Object.values(statuses).reduce((s, n) => s + n, 0);
  const ok = okLatencies.length;
  return {
    name: spec.name,
    mode: rate ? "fixed-rate" : "closed-loop",
    connections,
    target_rate: rate ?? null,
    duration_s: Number(result.duration.toFixed(2)),
    requests: total,
    ok,
    rps: Number((total / result.duration).toFixed(1)),
    // Latency of every answer (2xx and not); ok_p50_ms/ok_p99_ms over the 2xx ones only.
    ...summarize(latencies),
    ok_p50_ms: ok === total ? undefined : summarize(okLatencies).p50_ms,
    ok_p99_ms: ok === total ? undefined : summarize(okLatencies).p99_ms,
    // errors: every request that did not get a 2xx (connection errors, timeouts, non-2xx answers).
    errors: result.errors + (total - ok),
    connection_errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    non2xx: total - ok,
    statuses,
    ...(errorBodies.length ? { first_error_bodies: errorBodies } : {}),
    ...(errorMessages.length ? { first_request_errors: errorMessages } : {}),
  };
}
