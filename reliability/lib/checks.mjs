// Invariants every run must keep, read only through the public API: no step recorded twice, no event
// repeated for one attempt, history and events agreeing, a terminal run with nothing left open.
import { TERMINAL } from "./plan.mjs";

/** Status, history and every event page of one run. */
export async function loadRecord(api, runId) {
  const status = await api.get(`/v1/executions/${runId}`);
  const history = await api.get(`/v1/executions/${runId}/history`);
  const events = [];
  let cursor = null;
  let pages = 0;
  do {
    const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const page = await api.get(`/v1/executions/${runId}/events?limit=1000${q}`);
    if (page.status !== 200)
      return { runId, error: `events answered ${page.status}: ${page.text.slice(0, 200)}` };
    events.push(...page.body.items);
    cursor = page.body.next_cursor;
  } while (cursor && ++pages < 50);
  if (status.status !== 200 || history.status !== 200) {
    return { runId, error: `status ${status.status} / history ${history.status}` };
  }
  return { runId, status: status.body, history: history.body, events };
}

const ONCE_PER_ATTEMPT = [
  "step.started",
  "step.completed",
  "step.failed",
  "run.waiting",
  "run.resumed",
  "ai.request",
  "ai.response",
];
const RUN_END = ["run.completed", "run.failed", "run.cancelled", "run.rejected"];

function countBy(items, key) {
  const m = new Map();
  for (const it of items) {
    const k = key(it);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/**
 * Problems found in one run's record (empty when it is sound). `expect` may name the terminal status,
 * the step path, the AI step's attempt count and the error code.
 */
export function checkRecord(rec, expect = {}) {
  if (rec.error) return [rec.error];
  const problems = [];
  const { status, history, events } = rec;
  const rows = history.steps.flatMap((s) =>
    s.attempts.map((a) => ({ ...a, seq: s.seq, step_id: s.step_id })),
  );

  // No step recorded twice.
  for (const [id, n] of countBy(rows, (r) => r.attempt_id))
    if (n > 1) problems.push(`attempt ${id} recorded ${n}x`);
  for (const [k, n] of countBy(rows, (r) => `${r.seq}#${r.attempt}`))
    if (n > 1) problems.push(`seq#attempt ${k} recorded ${n}x`);
  history.steps.forEach((s, i) => {
    if (s.seq !== i + 1) problems.push(`history seq ${s.seq} at position ${i + 1} (gap or repeat)`);
    if (new Set(s.attempts.map((a) => a.step_id ?? s.step_id)).size > 1)
      problems.push(`seq ${s.seq} mixes steps`);
  });

  // No event repeated for one attempt; one start and at most one end per run.
  for (const type of ONCE_PER_ATTEMPT) {
    const of = events.filter((e) => e.type === type && e.attempt_id);
    for (const [id, n] of countBy(of, (e) => e.attempt_id))
      if (n > 1) problems.push(`${type} x${n} for ${id}`);
  }
  for (const type of ["run.created", "run.started"]) {
    const n = events.filter((e) => e.type === type).length;
    if (n !== 1) problems.push(`${type} x${n}`);
  }
  const ends = events.filter((e) => RUN_END.includes(e.type));
  const terminal = TERMINAL.has(status.status);
  if (terminal && ends.length !== 1) problems.push(`terminal run has ${ends.length} end events`);
  if (!terminal && ends.length !== 0) problems.push(`${status.status} run has end event ${ends[0]?.type}`);
  if (terminal && ends.length === 1 && ends[0].type !== `run.${status.status}`)
    problems.push(`status ${status.status} but end event ${ends[0].type}`);
  for (const [id, n] of countBy(
    events.filter((e) => e.type === "mail.queued"),
    (e) => e.data?.outbox_id,
  ))
    if (n > 1) problems.push(`mail.queued x${n} for outbox ${id}`);
  for (let i = 1; i < events.length; i++)
    if (events[i].id <= events[i - 1].id) problems.push(`event ids out of order at ${events[i].id}`);

  // History complete: every executed step has its row and its events, both ways.
  const started = new Set(events.filter((e) => e.type === "step.started").map((e) => e.attempt_id));
  for (const r of rows) {
    if (r.attempt === 1 && !started.has(r.attempt_id))
      problems.push(`row ${r.step_id}#${r.seq} has no step.started`);
    if (r.attempt > 1 && !events.some((e) => e.type === "ai.request" && e.attempt_id === r.attempt_id))
      problems.push(`AI attempt ${r.step_id}#${r.seq}.${r.attempt} has no ai.request`);
  }
  const rowIds = new Set(rows.map((r) => r.attempt_id));
  for (const id of started) if (!rowIds.has(id)) problems.push(`step.started ${id} has no history row`);
  if (terminal) {
    for (const r of rows)
      if (r.status === "running" || r.status === "waiting")
        problems.push(`terminal run keeps ${r.step_id}#${r.seq} ${r.status}`);
  }

  // Nothing happens to a cancelled run after its cancellation.
  const cancelAt = events.findIndex((e) => e.type === "run.cancelled");
  if (cancelAt >= 0) {
    const later = events.slice(cancelAt + 1).filter((e) => !e.type.startsWith("mail."));
    if (later.length > 0) problems.push(`after run.cancelled: ${later.map((e) => e.type).join(", ")}`);
  }

  // What the plan expects.
  if (expect.status && status.status !== expect.status)
    problems.push(
      `status ${status.status}, expected ${expect.status}${status.error ? ` (${status.error.code})` : ""}`,
    );
  const path = history.steps.map((s) => s.step_id);
  if (expect.path && path.join(">") !== expect.path.join(">"))
    problems.push(`path ${path.join(">")}, expected ${expect.path.join(">")}`);
  if (expect.aiAttempts !== undefined) {
    const gen = history.steps.find((s) => s.step_id === "gen");
    if (gen?.attempts.length !== expect.aiAttempts)
      problems.push(`gen has ${gen?.attempts.length ?? 0} attempts, expected ${expect.aiAttempts}`);
  }
  if (expect.errorCode && status.error?.code !== expect.errorCode)
    problems.push(`error ${status.error?.code}, expected ${expect.errorCode}`);
  return problems;
}
