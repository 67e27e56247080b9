// Scenario 1: 100 runs in flight (forms, approvals, AI steps held in the queue), workerd SIGKILLed, the
// server restarted on the same persisted state, then every run finished through the API.
import { checkRecord, loadRecord } from "../lib/checks.mjs";
import { driveToEnd, startRun } from "../lib/drive.mjs";
import { pool, sleep } from "../lib/http.mjs";
import { indexDivergence } from "../lib/index-check.mjs";
import { aiFailPlan, aiReaskPlan, aiSlowPlan, answerFor, expectedEnd, humanPlan } from "../lib/plan.mjs";
import { tally } from "../lib/report.mjs";

/** How long after the restart runs may take to finish; longer than the DO watchdog alarm (30 s). */
const FINISH_WITHIN_MS = 40_000;
/** Requests of the burst fired at the kill: starts (with Idempotency-Key) and resumes still in progress. */
const BURST_STARTS = 30;
const BURST_RESUMES = 10;
/** The burst's requests go out one every BURST_GAP_MS, and the kill lands in the middle of them. */
const BURST_GAP_MS = 20;
const KILL_AFTER_BURST_MS = 500;

/** Starts the 100 runs; 20 human runs are moved on to their approval before the crash. */
async function putInFlight(api, t) {
  const plans = [
    ...Array.from({ length: 50 }, (_, i) => ({ ...humanPlan(i), advance: i < 20 })),
    ...Array.from({ length: 10 }, (_, i) => aiFailPlan(i)),
    ...Array.from({ length: 10 }, (_, i) => aiReaskPlan(i)),
    ...Array.from({ length: 30 }, (_, i) => aiSlowPlan(i)),
  ];
  // The human runs that go on to their approval need score > 50.
  for (const p of plans) if (p.advance) p.score = 80;
  const runs = await pool(plans, 10, async (plan) => {
    const r = await startRun(api, plan);
    t.check(r.status === 202, `start ${plan.workflow} answers 202`, { status: r.status, body: r.text });
    const run = { id: r.body?.run_id, plan, token: r.body?.waiting?.resume_token };
    if (plan.advance && r.status === 202) {
      const a = await api.post(`/v1/executions/${run.id}/resume`, {
        token: r.body.waiting.resume_token,
        data: answerFor(plan, "ask"),
      });
      t.check(a.status === 200 && a.body.current_step === "sign", "resume form before the crash", a.text);
    }
    return run;
  });
  return runs.filter((r) => r.id);
}

async function snapshot(api, runs) {
  const rows = await pool(runs, 10, async (r) => {
    const s = await api.get(`/v1/executions/${r.id}`);
    return { id: r.id, status: s.body?.status, step: s.body?.current_step, code: s.status };
  });
  return new Map(rows.map((r) => [r.id, r]));
}

const countBy = (xs) => {
  const c = {};
  for (const x of xs) c[x] = (c[x] ?? 0) + 1;
  return c;
};

const countStates = (snap) => {
  const c = {};
  for (const s of snap.values()) c[`${s.status}@${s.step}`] = (c[`${s.status}@${s.step}`] ?? 0) + 1;
  return c;
};

/** Runs the crash scenario against `server` (started, migrated, workflows loaded). */
export async function crashScenario(server, api) {
  const t = tally("crash");
  const runs = await putInFlight(api, t);
  const before = await snapshot(api, runs);
  const inFlightAi = [...before.values()].filter((s) => s.status === "running");
  t.note(`at the kill: ${JSON.stringify(countStates(before))}`);

  // Kill under load: starts and resumes are in progress inside workerd when it dies.
  const burstPlans = Array.from({ length: BURST_STARTS }, (_, i) => ({
    ...(i % 2 === 0 ? humanPlan(100 + i) : aiReaskPlan(100 + i)),
    key: `crash-burst-${i}-${Date.now()}`,
  }));
  const starts = burstPlans.map((p) => () => startRun(api, p, { "idempotency-key": p.key }));
  const resumed = runs
    .filter((r) => r.plan.workflow === "rel-human" && !r.plan.advance)
    .slice(0, BURST_RESUMES);
  for (const r of resumed) r.burst = true;
  const resumes = resumed.map(
    (r) => () =>
      api.post(`/v1/executions/${r.id}/resume`, { token: r.token, data: answerFor(r.plan, "ask") }),
  );
  // Interleave starts and resumes, spaced out so the kill meets them at every stage.
  const burstCalls = [];
  while (starts.length > 0 || resumes.length > 0)
    burstCalls.push(...starts.splice(0, 3), ...resumes.splice(0, 1));
  const burst = burstCalls.map((call, i) => sleep(i * BURST_GAP_MS).then(call));
  await sleep(KILL_AFTER_BURST_MS);
  const killed = await server.crash();
  const burstAnswers = await Promise.all(burst);
  t.note(
    `burst at the kill: ${BURST_STARTS} starts + ${BURST_RESUMES} resumes; answers before the kill: ${JSON.stringify(
      countBy(burstAnswers.map((a) => a.status)),
    )} (0 = connection died)`,
  );
  t.check(killed.workerd.length > 0, "found workerd under wrangler and SIGKILLed it", killed);
  t.note(`SIGKILLed workerd ${killed.workerd.join(",")} and wrangler ${killed.wrangler}`);
  const restartAt = Date.now();
  await server.start();
  t.note(`restarted on the same state in ${Date.now() - restartAt} ms`);

  // Nothing committed before the kill may be gone or go backwards.
  const after = await snapshot(api, runs);
  for (const [id, b] of before) {
    if (runs.find((r) => r.id === id)?.burst) continue; // resumed in the burst: may have moved on
    const a = after.get(id);
    // A running AI step may have finished between the snapshot and the kill; nothing else may change.
    const same = a?.code === 200 && (a.status === b.status || b.status === "running");
    t.check(same, "a run committed before the kill reads the same after the restart", {
      before: b,
      after: a,
    });
  }

  // A client whose start died with the server retries it with the same Idempotency-Key.
  const retried = await pool(burstPlans, 10, async (plan) => {
    const r = await startRun(api, plan, { "idempotency-key": plan.key });
    t.check(
      r.status === 200 || r.status === 202,
      "a start retried with its Idempotency-Key after the restart answers 200/202",
      {
        status: r.status,
        body: r.text,
      },
    );
    return { id: r.body?.run_id, plan, replayed: r.status === 200 };
  });
  t.note(
    `burst starts retried: ${retried.filter((r) => r.replayed).length} had been committed before the kill`,
  );
  runs.push(...retried.filter((r) => r.id));

  const { open, oddities } = await driveToEnd(api, runs, restartAt + FINISH_WITHIN_MS);
  for (const o of oddities) t.check(false, `unexpected answer while finishing ${o.run} (${o.op})`, o);

  // Runs still open are stranded: gather what the API shows about them, then cancel them.
  if (open.length > 0) {
    const wasInFlight = open.filter((r) => inFlightAi.some((s) => s.id === r.id)).length;
    const states = await snapshot(api, open);
    t.note(`stranded: ${JSON.stringify(countStates(states))}`);
    for (const kind of new Set([...states.values()].map((s) => `${s.status}@${s.step}`))) {
      const id = [...states.values()].find((s) => `${s.status}@${s.step}` === kind).id;
      const rec = await loadRecord(api, id);
      t.note(
        `e.g. ${id} ${kind}: pending rows ${JSON.stringify(
          rec.history?.steps.flatMap((s) =>
            s.attempts
              .filter((a) => a.status === "running" || a.status === "waiting")
              .map((a) => `${s.step_id}#${s.seq}:${a.status}`),
          ),
        )}, last events ${JSON.stringify(rec.events?.slice(-4).map((e) => (e.step_id ? `${e.type}@${e.step_id}` : e.type)))}`,
      );
    }
    t.note(
      `${open.length} runs never finished within ${FINISH_WITHIN_MS / 1000} s of the restart (${wasInFlight} had an AI step in flight at the kill)`,
    );
  }
  const stranded = new Set(open.map((r) => r.id));
  await pool(runs, 8, async (run) => {
    const rec = await loadRecord(api, run.id);
    if (stranded.has(run.id)) {
      t.check(
        false,
        `a ${run.plan.workflow} run stranded at ${rec.status?.status}@${rec.status?.current_step} after the restart`,
        {
          run: run.id,
          before: before.get(run.id) ?? "started in the burst at the kill",
          lastEvents: rec.events?.slice(-3).map((e) => (e.step_id ? `${e.type}@${e.step_id}` : e.type)),
        },
      );
      return;
    }
    const problems = checkRecord(rec, expectedEnd(run.plan));
    t.check(
      problems.length === 0,
      `run ${run.id} (${run.plan.workflow}) ends right with a sound history`,
      problems,
    );
  });
  for (const run of open) {
    const c = await api.post(`/v1/executions/${run.id}/cancel`);
    t.check(c.status === 200, "a stranded run can still be cancelled", { run: run.id, answer: c.text });
  }
  // The kill also met index writes in flight (each answer's write leaves after it): the list must
  // come to show every run as its object does.
  const { differ, ms } = await indexDivergence(api, runs);
  t.note(`index: ${runs.length} runs listed as their objects say after ${ms} ms`);
  for (const d of differ) t.check(false, "the run list converges on the run's own status after the crash", d);
  t.check(differ.length === 0, "the run list (D1's index) converged on every run's status after the crash", {
    differ: differ.length,
  });
  return t;
}
