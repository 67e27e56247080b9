// The index lag: how long after an operation's answer the run list (GET /v1/executions?status=…, the
// index across runs) shows the run with that status. One probe run at a time of its own workflow
// (bench-lag, a copy of bench-form), so the run just answered is the newest of its status on the list's
// first page: start it (answer: waiting), poll the list of waiting runs until it is there; resume it
// (answer: completed), poll the list of completed runs until it is there. The lag of one observation is
// the time from the operation's answer until the answer of the first list request that has the run: what
// a client sees, an upper bound of the index's own lag (it includes one list request even when the index
// was written before the answer left the run's object). Resolution: one list request plus POLL_MS.
import { call, sleep } from "./http.mjs";
import { summarize } from "./stats.mjs";

export const LAG_WORKFLOW = "bench-lag";
const POLL_MS = 10;
const GIVE_UP_MS = 10_000;
/** Pause between probe runs, so the probe stays a small part of the load it measures under. */
const PACE_MS = 100;

/** ms from `answeredAt` until a list answer showing run `id` with `status` arrived, or undefined. */
async function lagUntilListed(base, headers, id, status, answeredAt, listMs) {
  for (;;) {
    const sentAt = performance.now();
    if (sentAt - answeredAt > GIVE_UP_MS) return undefined;
    const list = await call(
      base,
      headers,
      "GET",
      `/v1/executions?workflow_id=${LAG_WORKFLOW}&status=${status}&limit=10`,
    );
    listMs.push(performance.now() - sentAt);
    if (list.status !== 200) throw new Error(`list: HTTP ${list.status}`);
    if (list.json?.items?.some((r) => r.run_id === id && r.status === status)) {
      return performance.now() - answeredAt;
    }
    await sleep(POLL_MS);
  }
}

/** Probes until `done()` is true (checked between probe runs); returns lag summaries per status. */
export async function indexLag(base, headers, done) {
  const lag = { waiting: [], completed: [] };
  const listMs = [];
  const failures = [];
  let unlisted = 0;
  let runs = 0;
  let n = 0;
  while (!done()) {
    try {
      const started = await call(base, headers, "POST", "/v1/executions", { workflow_id: LAG_WORKFLOW });
      const startedAt = performance.now();
      if (started.status !== 202 || started.json?.status !== "waiting")
        throw new Error(`start: HTTP ${started.status}`);
      const id = started.json.run_id;
      const w = await lagUntilListed(base, headers, id, "waiting", startedAt, listMs);
      if (w === undefined) unlisted++;
      else lag.waiting.push(w);
      const resumed = await call(base, headers, "POST", `/v1/executions/${id}/resume`, {
        token: started.json.waiting.resume_token,
        data: { name: `lag${n++}`, score: 1 },
      });
      const resumedAt = performance.now();
      if (resumed.status !== 200 || resumed.json?.status !== "completed")
        throw new Error(`resume: HTTP ${resumed.status}`);
      runs++;
      const c = await lagUntilListed(base, headers, id, "completed", resumedAt, listMs);
      if (c === undefined) unlisted++;
      else lag.completed.push(c);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
    await sleep(PACE_MS);
  }
  return { runs_completed: runs, unlisted, failures, lag, listMs };
}

/** Several probes' observations pooled into one summary. */
export function poolLag(probes) {
  if (probes.length === 0) return undefined;
  const pick = (f) => probes.flatMap(f);
  const waiting = pick((p) => p.lag.waiting);
  const completed = pick((p) => p.lag.completed);
  const failures = pick((p) => p.failures);
  return {
    poll_ms: POLL_MS,
    probes: probes.length,
    runs_completed: probes.reduce((n, p) => n + p.runs_completed, 0),
    unlisted_after_10s: probes.reduce((n, p) => n + p.unlisted, 0),
    failed: failures.length,
    failures: [...new Set(failures)].slice(0, 5),
    all: summarize([...waiting, ...completed]),
    waiting: summarize(waiting),
    completed: summarize(completed),
    list_request: summarize(pick((p) => p.listMs)),
  };
}
