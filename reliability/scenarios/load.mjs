// Scenario 5: load on one server. Waves of 100 concurrent requests back to back — starts, starts under
// Idempotency-Keys, resumes, approvals, and resumes racing for the same wait — and one idle pause longer
// than the runtime keeps a connection open. Every answer must be 2xx or the documented 409, no
// connection may drop, and the runtime must never be restarted or replaced.
import { startRun } from "../lib/drive.mjs";
import { sleep } from "../lib/http.mjs";
import { humanPlan } from "../lib/plan.mjs";
import { tally } from "../lib/report.mjs";

const WAVE = 100;
const CYCLES = 5;
/** Longer than workerd keeps an idle connection (5 s): the next wave must open fresh ones cleanly. */
const IDLE_PAUSE_MS = 6_000;

const count = (answers, status) => answers.filter((a) => a.status === status).length;
const byStatus = (answers) => {
  const c = {};
  for (const a of answers) c[a.status] = (c[a.status] ?? 0) + 1;
  return c;
};

/** Fires `n` requests at once; returns the answers and how long the wave took. */
async function wave(n, fn) {
  const t0 = Date.now();
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
  return { answers, ms: Date.now() - t0 };
}

/** One cycle of five waves; returns the waves for the tally. */
async function cycle(api, t, c) {
  const waves = [];
  const record = (name, w) => {
    waves.push({ name, ...w });
    t.check(
      w.answers.every((a) => a.status !== 0),
      `cycle ${c} ${name}: no dropped connection`,
      byStatus(w.answers),
    );
    return w;
  };

  // 1. Starts without a key: every one a new run waiting at its form.
  const plans = Array.from({ length: WAVE }, (_, i) => ({ ...humanPlan(i), inputs: { load: `${c}-${i}` } }));
  const starts = record("starts", await wave(WAVE, (i) => startRun(api, plans[i])));
  t.check(
    count(starts.answers, 202) === WAVE,
    `cycle ${c} starts: all ${WAVE} answer 202`,
    byStatus(starts.answers),
  );
  const runs = starts.answers.filter((a) => a.status === 202).map((a) => a.body);

  // 2. Starts under Idempotency-Keys, two identical requests per key: one 202 and one 200, same run.
  const stamp = `${Date.now()}-${c}`;
  const keyed = record(
    "keyed starts",
    await wave(WAVE, (i) =>
      startRun(
        api,
        { ...humanPlan(i >> 1), inputs: { key: i >> 1 } },
        { "idempotency-key": `load-${stamp}-${i >> 1}` },
      ),
    ),
  );
  let keyedOk = 0;
  const keyedRuns = [];
  for (let k = 0; k < WAVE / 2; k++) {
    const pair = [keyed.answers[2 * k], keyed.answers[2 * k + 1]];
    const statuses = pair.map((a) => a.status).sort();
    // An answer wrangler dev's proxy lost on its way back has the Worker's status but no body to compare.
    const lost = pair.some((a) => a.proxyLost);
    const same =
      lost || (pair[0].body?.run_id !== undefined && pair[0].body?.run_id === pair[1].body?.run_id);
    if (statuses[0] === 200 && statuses[1] === 202 && same) {
      keyedOk++;
      const created = pair.find((a) => a.status === 202 && a.body) ?? pair.find((a) => a.body);
      if (created) keyedRuns.push(created.body);
    }
  }
  t.check(keyedOk === WAVE / 2, `cycle ${c} keyed starts: each key one 202 and one 200 for one run`, {
    ok: keyedOk,
    statuses: byStatus(keyed.answers),
  });

  // Once, in the middle: every connection of the last waves is left to time out.
  if (c === CYCLES >> 1) await sleep(IDLE_PAUSE_MS);

  // 3. Resumes: every run of wave 1 answers its form and moves on to its approval.
  const resumes = record(
    "resumes",
    await wave(runs.length, (i) =>
      api.post(`/v1/executions/${runs[i].run_id}/resume`, {
        token: runs[i].waiting.resume_token,
        data: { note: `load ${c}-${i}`, score: 90 },
      }),
    ),
  );
  // Where the proxy lost a 200's body, the run's status says where the resume left it.
  for (const [i, a] of resumes.answers.entries()) {
    if (a.proxyLost && a.status === 200) a.body = (await api.get(`/v1/executions/${runs[i].run_id}`)).body;
  }
  const atApproval = resumes.answers.filter((a) => a.status === 200 && a.body?.current_step === "sign");
  t.check(
    atApproval.length === runs.length,
    `cycle ${c} resumes: all answer 200 at the approval`,
    byStatus(resumes.answers),
  );

  // 4. Approvals: every run decided once; approved runs complete, rejected ones end rejected.
  const decide = (i) => (i % 4 === 1 ? "rejected" : "approved");
  const approvals = record(
    "approvals",
    await wave(atApproval.length, (i) =>
      api.post(`/v1/executions/${atApproval[i].body.run_id}/resume`, {
        token: atApproval[i].body.waiting.resume_token,
        data: { decision: decide(i) },
      }),
    ),
  );
  const ended = approvals.answers.filter(
    (a, i) => a.status === 200 && a.body?.status === (decide(i) === "approved" ? "completed" : "rejected"),
  );
  t.check(
    ended.length === atApproval.length,
    `cycle ${c} approvals: each answers 200 and ends as decided`,
    byStatus(approvals.answers),
  );

  // 5. Races: two resumes per keyed run at once: exactly one 200 and one 409 (the documented conflict).
  const races = record(
    "racing resumes",
    await wave(keyedRuns.length * 2, (i) =>
      api.post(`/v1/executions/${keyedRuns[i >> 1].run_id}/resume`, {
        token: keyedRuns[i >> 1].waiting.resume_token,
        data: { note: `race ${i}`, score: 20 },
      }),
    ),
  );
  let racesOk = 0;
  for (let k = 0; k < keyedRuns.length; k++) {
    const statuses = [races.answers[2 * k].status, races.answers[2 * k + 1].status].sort();
    if (statuses[0] === 200 && statuses[1] === 409) racesOk++;
  }
  t.check(
    racesOk === keyedRuns.length,
    `cycle ${c} racing resumes: one 200 and one 409 per run`,
    byStatus(races.answers),
  );
  return waves;
}

/** Runs the load scenario: CYCLES cycles of five waves on the one running server. */
export async function loadScenario(server, api) {
  const t = tally("load");
  const pidsBefore = server.workerdPids().sort().join(",");
  const reloadsBefore = server.reloads.length;
  const waves = [];
  for (let c = 0; c < CYCLES; c++) waves.push(...(await cycle(api, t, c)));
  const requests = waves.reduce((n, w) => n + w.answers.length, 0);
  const busyMs = waves.reduce((n, w) => n + w.ms, 0);
  const answers = waves.flatMap((w) => w.answers);
  t.check(requests >= 2_000, "at least 2,000 requests in waves", requests);
  t.check(
    answers.every((a) => (a.status >= 200 && a.status < 300) || a.status === 409),
    "every answer is 2xx or 409",
    byStatus(answers),
  );
  const pidsAfter = server.workerdPids().sort().join(",");
  t.check(
    pidsAfter === pidsBefore && server.reloads.length === reloadsBefore,
    "the runtime was never restarted or replaced (same workerd processes, no reload)",
    { before: pidsBefore, after: pidsAfter, reloads: server.reloads.length - reloadsBefore },
  );
  const slowest = waves.reduce((a, w) => (w.ms > a.ms ? w : a), waves[0]);
  t.note(
    `${requests} requests in ${waves.length} waves of up to ${WAVE} at once: held ${(requests / (busyMs / 1000)).toFixed(0)} requests/s while busy; slowest wave ${slowest.name} ${slowest.ms} ms`,
  );
  return t;
}
