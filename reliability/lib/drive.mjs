// Drives runs to their end through the API only: answer whatever a run waits on (with the token its
// status carries), leave running ones to the queue, stop when all are terminal or the deadline passes.
import { pool, sleep } from "./http.mjs";
import { answerFor, TERMINAL } from "./plan.mjs";

/** Starts one run of a plan; returns the API answer. */
export const startRun = (api, plan, headers = {}) =>
  api.post(
    "/v1/executions",
    { workflow_id: plan.workflow, inputs: plan.inputs, profile: plan.profile },
    { headers },
  );

/** Answers the run's current wait per its plan; returns the resume answer. */
export function answer(api, run, status) {
  const w = status.waiting;
  return api.post(`/v1/executions/${run.id}/resume`, {
    token: w.resume_token,
    data: answerFor(run.plan, w.step_id),
  });
}

/**
 * Moves every run on until it is terminal or `deadline` (epoch ms) passes. Returns the runs still not
 * terminal, and every unexpected API answer met on the way.
 */
export async function driveToEnd(api, runs, deadline) {
  const open = new Map(runs.map((r) => [r.id, r]));
  const oddities = [];
  while (open.size > 0 && Date.now() < deadline) {
    await pool([...open.values()], 8, async (run) => {
      const s = await api.get(`/v1/executions/${run.id}`);
      if (s.status !== 200) {
        oddities.push({ run: run.id, op: "status", status: s.status, body: s.text.slice(0, 300) });
        return;
      }
      if (TERMINAL.has(s.body.status)) {
        open.delete(run.id);
        return;
      }
      if (s.body.status === "waiting") {
        const r = await answer(api, run, s.body);
        if (r.status !== 200)
          oddities.push({
            run: run.id,
            op: `resume ${s.body.waiting.step_id}`,
            status: r.status,
            body: r.text.slice(0, 300),
          });
      }
    });
    if (open.size > 0) await sleep(500);
  }
  return { open: [...open.values()], oddities };
}
