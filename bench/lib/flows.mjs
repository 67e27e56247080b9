// Complete runs of bench-full (form → ai_generate(mock, via the ai-jobs queue) → conditional →
// approval), driven like a client would: start, resume the form, poll until the approval waits,
// approve. Closed-loop (N runs in flight) or fixed-rate (a new run every 1/rate s, bounded in flight).

import { call, sleep } from "./http.mjs";
import { FULL_WORKFLOW } from "./scenarios.mjs";
import { summarize } from "./stats.mjs";

const POLL_MS = 50;
const RUN_TIMEOUT_MS = 30_000;
const fail = (why) => {
  throw new Error(why);
};

/** One run from start to completed; returns phase timings in ms, or throws with what went wrong. */
async function completeRun(base, headers, n) {
  const t0 = performance.now();
  const started = await call(base, headers, "POST", "/v1/executions", {
    workflow_id: FULL_WORKFLOW,
    profile: { email: `writer${n}@bench.test` },
  });
  if (started.status !== 202 || started.json?.status !== "waiting") fail(`start: HTTP ${started.status}`);
  const id = started.json.run_id;
  const t1 = performance.now();
  const formed = await call(base, headers, "POST", `/v1/executions/${id}/resume`, {
    token: started.json.waiting.resume_token,
    data: { topic: "Durable Objects", audience: "developers" },
  });
  if (formed.status !== 200) fail(`resume form: HTTP ${formed.status}`);
  const t2 = performance.now();
  let run = formed.json;
  let polls = 0;
  while (!(run.status === "waiting" && run.waiting?.type === "approval")) {
    if (run.status !== "running" && run.status !== "waiting") fail(`run ended ${run.status} before approval`);
    if (performance.now() - t0 > RUN_TIMEOUT_MS) fail("timed out waiting for the approval");
    await sleep(POLL_MS);
    const polled = await call(base, headers, "GET", `/v1/executions/${id}`);
    polls++;
    if (polled.status !== 200) fail(`poll: HTTP ${polled.status}`);
    run = polled.json;
  }
  const t3 = performance.now();
  const approved = await call(base, headers, "POST", `/v1/executions/${id}/resume`, {
    token: run.waiting.resume_token,
    data: { decision: "approved", comment: "bench" },
  });
  if (approved.status !== 200 || approved.json?.status !== "completed")
    fail(`approve: HTTP ${approved.status} ${approved.json?.status ?? ""}`);
  const t4 = performance.now();
  return { id, total: t4 - t0, start: t1 - t0, form: t2 - t1, ai_wait: t3 - t2, approve: t4 - t3, polls };
}

function report(mode, params, results, failures, wallMs) {
  const ok = results;
  const pick = (k) => summarize(ok.map((r) => r[k]));
  return {
    name: "scaff: complete run (form → AI → conditional → approval)",
    mode,
    ...params,
    runs_completed: ok.length,
    runs_failed: failures.length,
    failures: [...new Set(failures)].slice(0, 5),
    wall_s: Number((wallMs / 1000).toFixed(2)),
    runs_per_s: Number((ok.length / (wallMs / 1000)).toFixed(2)),
    // End-to-end per run, then where the time went (ai_wait = queue delivery + AI step + polling).
    ...pick("total"),
    phases_p50_ms: Object.fromEntries(
      ["start", "form", "ai_wait", "approve"].map((k) => [k, pick(k).p50_ms]),
    ),
    polls_per_run: ok.length ? Number((ok.reduce((s, r) => s + r.polls, 0) / ok.length).toFixed(1)) : 0,
    run_ids: ok.map((r) => r.id),
  };
}

/** Closed loop: `concurrency` drivers each start a new run as soon as theirs completes, for durationS. */
export async function closedLoopRuns(base, headers, { concurrency, durationS }) {
  const results = [];
  const failures = [];
  const t0 = performance.now();
  const end = t0 + durationS * 1000;
  let n = 0;
  const driver = async () => {
    while (performance.now() < end) {
      try {
        results.push(await completeRun(base, headers, n++));
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, driver));
  return report("closed-loop", { concurrency }, results, failures, performance.now() - t0);
}

/** Fixed rate: a new run every 1/rate s for durationS (skipped, and counted, when maxInFlight are busy). */
export async function fixedRateRuns(base, headers, { rate, durationS, maxInFlight }) {
  const results = [];
  const failures = [];
  const inFlight = new Set();
  let skipped = 0;
  const t0 = performance.now();
  for (let n = 0; n < Math.round(rate * durationS); n++) {
    const due = t0 + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= maxInFlight) {
      skipped++;
      continue;
    }
    const p = completeRun(base, headers, 100_000 + n)
      .then((r) => results.push(r))
      .catch((e) => failures.push(e instanceof Error ? e.message : String(e)))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all([...inFlight]);
  return {
    ...report(
      "fixed-rate",
      { target_rate: rate, max_in_flight: maxInFlight },
      results,
      failures,
      performance.now() - t0,
    ),
    skipped_over_limit: skipped,
  };
}
