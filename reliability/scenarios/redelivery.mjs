// Scenario 3: replays at the API level. The queue cannot be reached from outside wrangler dev, so duplicate
// and out-of-order queue messages are covered by the in-workerd tests (test/ai/ai-flow.test.ts,
// test/mail/mail-queue.test.ts); here: repeated resumes and cancels are no-ops, stale tokens are refused, and a
// late AI job for a cancelled run changes nothing.
import { checkRecord, loadRecord } from "../lib/checks.mjs";
import { startRun } from "../lib/drive.mjs";
import { pool, sleep } from "../lib/http.mjs";
import { aiSlowPlan, humanPlan } from "../lib/plan.mjs";
import { tally } from "../lib/report.mjs";

/** Long enough for a transient_error job (failures: 2) to be delivered three times: 2 s + 4 s + batching. */
const AI_SETTLE_MS = 10_000;

const snapshotOf = async (api, id) => {
  const rec = await loadRecord(api, id);
  // Mail events are left out: the mail queue delivers emails on its own time.
  const events = rec.events?.filter((e) => !e.type.startsWith("mail.")).map((e) => e.id);
  return JSON.stringify({ s: rec.status, h: rec.history, events });
};

async function replays(api, t) {
  const runs = await pool(
    Array.from({ length: 10 }, (_, i) => ({ ...humanPlan(i), score: 80, decision: "approved" })),
    5,
    async (plan) => {
      const r = await startRun(api, plan);
      return { id: r.body?.run_id, plan, form: r.body?.waiting?.resume_token };
    },
  );
  for (const run of runs) {
    const data = { note: "replayed", score: 80 };
    const first = await api.post(`/v1/executions/${run.id}/resume`, { token: run.form, data });
    t.check(first.status === 200, "first resume answers 200", first.text);
    const mark = await snapshotOf(api, run.id);
    const again = await api.post(`/v1/executions/${run.id}/resume`, { token: run.form, data });
    t.check(
      again.status === 409 && again.body?.error?.code === "conflict",
      "the same resume again answers 409",
      again.text,
    );
    const other = await api.post(`/v1/executions/${run.id}/resume`, {
      token: run.form,
      data: { note: "x", score: 1 },
    });
    t.check(other.status === 409, "a used token with other data answers 409", other.text);
    // The used form token at the approval step: out of order, it belongs to a past wait.
    const stale = await api.post(`/v1/executions/${run.id}/resume`, {
      token: run.form,
      data: { decision: "approved" },
    });
    t.check(stale.status === 409, "a past wait's token at the next step answers 409", stale.text);
    t.check(
      (await snapshotOf(api, run.id)) === mark,
      "replays changed nothing (status, history, events)",
      run.id,
    );
    const approval = first.body.waiting.resume_token;
    const done = await api.post(`/v1/executions/${run.id}/resume`, {
      token: approval,
      data: { decision: "approved" },
    });
    t.check(done.status === 200 && done.body.status === "completed", "approval completes the run", done.text);
    const end = await snapshotOf(api, run.id);
    const late = await api.post(`/v1/executions/${run.id}/cancel`);
    t.check(late.status === 409, "cancel after completion answers 409", late.text);
    const reapprove = await api.post(`/v1/executions/${run.id}/resume`, {
      token: approval,
      data: { decision: "rejected" },
    });
    t.check(reapprove.status === 409, "a second decision after completion answers 409", reapprove.text);
    t.check((await snapshotOf(api, run.id)) === end, "nothing changed after completion", run.id);
    const problems = checkRecord(await loadRecord(api, run.id), {
      status: "completed",
      path: ["ask", "route", "sign"],
    });
    t.check(problems.length === 0, `history of ${run.id} is sound after the replays`, problems);
  }
  // Cancel twice, then a resume: both refused, nothing recorded after the first cancel.
  const c = await startRun(api, humanPlan(7));
  const id = c.body.run_id;
  t.check((await api.post(`/v1/executions/${id}/cancel`)).status === 200, "cancel answers 200", id);
  t.check((await api.post(`/v1/executions/${id}/cancel`)).status === 409, "a second cancel answers 409", id);
  const r = await api.post(`/v1/executions/${id}/resume`, {
    token: c.body.waiting.resume_token,
    data: { note: "late", score: 1 },
  });
  t.check(r.status === 409, "resume after cancel answers 409", r.text);
  const problems = checkRecord(await loadRecord(api, id), { status: "cancelled", path: ["ask"] });
  t.check(problems.length === 0, "the cancelled run's history is sound", problems);
  // A start replayed with its Idempotency-Key after the run finished returns that run, not a new one.
  const key = `redeliver-${Date.now()}`;
  const s1 = await startRun(api, humanPlan(2), { "idempotency-key": key });
  await api.post(`/v1/executions/${s1.body.run_id}/cancel`);
  const s2 = await startRun(api, humanPlan(2), { "idempotency-key": key });
  t.check(
    s2.status === 200 && s2.body.run_id === s1.body.run_id && s2.body.status === "cancelled",
    "a start replayed after its run ended returns that run (200)",
    { first: s1.status, again: s2.status, body: s2.text },
  );
}

/** A run cancelled while its AI job sits in the queue: the job's late deliveries change nothing. */
async function lateAiJobs(api, t) {
  const runs = await pool(
    Array.from({ length: 8 }, (_, i) => aiSlowPlan(200 + i)),
    4,
    async (plan) => ({ id: (await startRun(api, plan)).body?.run_id, plan }),
  );
  for (const run of runs) {
    const s = await api.get(`/v1/executions/${run.id}`);
    t.check(
      s.body?.status === "running" && s.body.current_step === "gen",
      "AI step in flight before cancel",
      s.text,
    );
    const c = await api.post(`/v1/executions/${run.id}/cancel`);
    t.check(c.status === 200, "cancel during the AI step answers 200", c.text);
  }
  const marks = await Promise.all(runs.map((r) => snapshotOf(api, r.id)));
  await sleep(AI_SETTLE_MS);
  for (const [i, run] of runs.entries()) {
    t.check(
      (await snapshotOf(api, run.id)) === marks[i],
      `the AI job of cancelled ${run.id} changed nothing`,
      run.id,
    );
    const rec = await loadRecord(api, run.id);
    const problems = checkRecord(rec, { status: "cancelled", path: ["gen"] });
    const gen = rec.history?.steps[0]?.attempts ?? [];
    if (gen.length !== 1 || gen[0].status !== "cancelled")
      problems.push(`gen rows ${JSON.stringify(gen.map((a) => a.status))}`);
    if (rec.events?.some((e) => e.type.startsWith("ai."))) problems.push("ai.* events recorded after cancel");
    t.check(problems.length === 0, `cancelled AI run ${run.id} is sound`, problems);
  }
}

/** Runs the redelivery scenario. */
export async function redeliveryScenario(_server, api) {
  const t = tally("redelivery");
  t.note(
    "queue-level duplicate and out-of-order deliveries cannot be injected from outside wrangler dev; they are covered in workerd by test/ai/ai-flow.test.ts and test/mail/mail-queue.test.ts",
  );
  await replays(api, t);
  await lateAiJobs(api, t);
  return t;
}
