import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { getRunSummary, upsertRunSummaries } from "../../src/db/run-index";
import type { RunDb } from "../../src/run-db/client";
import { enqueueIndexWrite } from "../../src/run-db/store";
import { api } from "../helpers/api";
import { indexSettled, runDb, runStubOf } from "../helpers/run-db";
import { resumeRun, startedRun } from "../helpers/runs";

// D1's index of runs follows each run's own record: ordered by the run's version, retried, converging.

const FLOW = `
id: index-flow
name: Index flow
start_step: ask
steps:
  - id: ask
    type: form
    fields:
      - { name: note, type: string }
`;

beforeAll(async () => {
  expect((await api("POST", "/v1/workflows", { yaml: FLOW })).status).toBe(201);
});

/** Polls D1 until the run's summary reaches `status`; how long that took after `since`. */
async function lagUntil(runId: string, status: string, since: number): Promise<number> {
  for (;;) {
    if ((await getRunSummary(env.DB, runId))?.status === status) return Date.now() - since;
    if (Date.now() - since > 5000) throw new Error(`index never reached ${status}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("the run index in D1", () => {
  it("follows the run shortly after each answer, with the open wait for an inbox", async () => {
    const lags: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = Date.now();
      const run = await startedRun("index-flow");
      const answered = Date.now();
      lags.push(await lagUntil(run.run_id, "waiting", answered));
      const summary = await getRunSummary(env.DB, run.run_id);
      expect(summary).toMatchObject({ waitStepId: "ask", waitType: "form", workflowId: "index-flow" });
      expect(summary?.createdAt).toBeGreaterThanOrEqual(t0 - 1000);
      const done = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", { note: "x" });
      lags.push(await lagUntil(run.run_id, "completed", Date.now()));
      expect(done.body.status).toBe("completed");
    }
    lags.sort((a, b) => a - b);
    console.info(`index lag after the answer (ms): p50 ${lags[10]}, max ${lags[lags.length - 1]}`);
  });

  it("never lets a stale write overwrite a newer summary, and repeating a write changes nothing", async () => {
    const run = await startedRun("index-flow");
    await indexSettled(run.run_id);
    const current = await getRunSummary(env.DB, run.run_id);
    if (!current) throw new Error("no summary");
    await upsertRunSummaries(env.DB, [{ ...current, version: current.version - 1, status: "running" }]);
    await upsertRunSummaries(env.DB, [current, current]);
    expect(await getRunSummary(env.DB, run.run_id)).toEqual(current);
  });

  it("converges after a lost write: the alarm writes what the object still owes", async () => {
    const run = await startedRun("index-flow");
    await indexSettled(run.run_id);
    // As if the object died after its transaction and before D1 heard of it.
    await env.DB.prepare("DELETE FROM run_index WHERE id = ?").bind(run.run_id).run();
    const stub = runStubOf(run.run_id);
    await runInDurableObject(stub, async (instance, state) => {
      enqueueIndexWrite((instance as unknown as { db: RunDb }).db, run.run_id);
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await getRunSummary(env.DB, run.run_id)).toMatchObject({ status: "waiting", waitStepId: "ask" });
    const owed = await runDb(run.run_id)
      .prepare("SELECT count(*) AS n FROM index_outbox")
      .first<{ n: number }>();
    expect(owed?.n).toBe(0);
  });
});
