// Does the index across runs (D1's run_index, behind GET /v1/executions) converge on what each run's
// object says? After a crash, index writes the objects owed are finished by their alarms (at most
// 10 s after the transaction), so within CONVERGE_MS every run is listed with its own status.
import { pool, sleep } from "./http.mjs";

const CONVERGE_MS = 25_000;
const POLL_MS = 1_000;

/** Every run of `workflowId` the list shows, id → status (cursor paging, 100 a page). */
async function listed(api, workflowId) {
  const out = new Map();
  let cursor;
  for (;;) {
    const q = `/v1/executions?workflow_id=${encodeURIComponent(workflowId)}&limit=100${cursor ? `&cursor=${cursor}` : ""}`;
    const page = await api.get(q);
    if (page.status !== 200)
      throw new Error(`list ${workflowId}: HTTP ${page.status} ${page.text?.slice(0, 200)}`);
    for (const item of page.body.items) out.set(item.run_id, item.status);
    cursor = page.body.next_cursor;
    if (!cursor) return out;
  }
}

/**
 * Waits until the list shows every run with the status its object answers; returns the runs that
 * still differ after CONVERGE_MS (empty when the index converged) and how long it took.
 */
export async function indexDivergence(api, runs) {
  const truth = new Map(
    await pool(runs, 10, async (r) => [r.id, (await api.get(`/v1/executions/${r.id}`)).body?.status]),
  );
  const workflows = [...new Set(runs.map((r) => r.plan.workflow))];
  const t0 = Date.now();
  for (;;) {
    const seen = new Map();
    for (const w of workflows) for (const [id, s] of await listed(api, w)) seen.set(id, s);
    const differ = [...truth]
      .filter(([id, s]) => seen.get(id) !== s)
      .map(([id, s]) => ({ id, status: s, listed: seen.get(id) ?? "missing" }));
    if (differ.length === 0 || Date.now() - t0 > CONVERGE_MS) return { differ, ms: Date.now() - t0 };
    await sleep(POLL_MS);
  }
}
