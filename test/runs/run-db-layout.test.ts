import { runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { idNamedBy } from "../../src/lib/ids";
import { RUN_PARENT_DDL } from "../../src/run-db/parent";
import { RUN_DB_DDL } from "../../src/run-db/schema";
import { api } from "../helpers/api";
import { indexSettled, runDb, runStubOf } from "../helpers/run-db";
import { getRun, noteForm, resumeRun, startedRun } from "../helpers/runs";

// A run object's tables as new objects create them (text-keyed tables without a rowid, no token index
// by wait), and as objects created before that keep them: both hold a run from start to end.

const FLOW = noteForm("layout-flow", "Layout flow");

/** The tables as objects made before this layout created them: every table with a rowid, tokens indexed by wait. */
const OLDER_DDL = `${(RUN_DB_DDL + RUN_PARENT_DDL).replaceAll(") WITHOUT ROWID;", ");")}
CREATE INDEX IF NOT EXISTS resume_tokens_wait_idx ON resume_tokens (wait_id);`;

const TABLES = ["runs", "run_steps", "events", "resume_tokens", "mail_outbox", "index_outbox", "run_parent"];

const schemaOf = async (runId: string) =>
  (
    await runDb(runId)
      .prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name",
      )
      .all<{ type: string; name: string; sql: string }>()
  ).results;

/** Starts a run, answers its form and expects it completed with the answer in its history. */
async function startAndFinish(key?: string): Promise<string> {
  const started = await startedRun("layout-flow", key ? { key } : {});
  expect(started.status).toBe("waiting");
  const done = await resumeRun(started.run_id, started.waiting?.resume_token ?? "", { note: "hi" });
  expect(done.status, done.text).toBe(200);
  expect(done.body.status).toBe("completed");
  const history = await api<{ steps: Array<{ step_id: string; status: string }> }>(
    "GET",
    `/v1/executions/${started.run_id}/history`,
  );
  expect(history.body.steps).toEqual([expect.objectContaining({ step_id: "ask", status: "completed" })]);
  await indexSettled(started.run_id);
  return started.run_id;
}

beforeAll(async () => {
  expect((await api("POST", "/v1/workflows", { yaml: FLOW })).status).toBe(201);
});

describe("a run object's tables", () => {
  it("are made without a rowid for the run, its steps and its parent, and without a token index, in a new object", async () => {
    const runId = await startAndFinish();
    const schema = await schemaOf(runId);
    const withoutRowid = schema
      .filter((t) => t.type === "table" && /WITHOUT ROWID/.test(t.sql))
      .map((t) => t.name);
    expect(withoutRowid.sort()).toEqual(["index_outbox", "run_parent", "run_steps", "runs"]);
    expect(schema.filter((t) => t.type === "index" && t.sql !== null).map((t) => t.name)).toEqual([
      "run_steps_run_seq_attempt_idx",
    ]);
  });

  it("still hold a run from start to end in an object that made them the older way", async () => {
    const key = "older-layout-1";
    const runId = await idNamedBy("run", `tester\u0000${key}`);
    // The object a keyed start reaches, its tables made again as an older object has them.
    await runInDurableObject(runStubOf(runId), (_instance, state) => {
      for (const table of TABLES) state.storage.sql.exec(`DROP TABLE IF EXISTS ${table}`);
      state.storage.sql.exec(OLDER_DDL);
    });
    expect(await startAndFinish(key)).toBe(runId);
    const schema = await schemaOf(runId);
    expect(schema.some((t) => /WITHOUT ROWID/.test(t.sql ?? "") && t.name === "runs")).toBe(false);
    expect(schema.map((t) => t.name)).toContain("resume_tokens_wait_idx");
    const list = await api<{ items: Array<{ run_id: string; status: string }> }>(
      "GET",
      "/v1/executions?workflow_id=layout-flow&status=completed",
    );
    expect(list.body.items.map((r) => r.run_id)).toContain(runId);
    expect((await getRun(runId)).body.status).toBe("completed");
  });

  it("are made again when an object woken after a reset misses one, and kept as they are when it has them all", async () => {
    const runId = await startAndFinish();
    const stub = runStubOf(runId);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("DROP TABLE run_parent");
    });
    await runInDurableObject(stub, (_instance, state) => state.abort("reset for the test")).catch(
      () => undefined,
    );
    expect((await getRun(runId)).body.status).toBe("completed");
    expect((await schemaOf(runId)).map((t) => t.name)).toContain("run_parent");
    const before = JSON.stringify(await schemaOf(runId));
    await runInDurableObject(stub, (_instance, state) => state.abort("reset for the test")).catch(
      () => undefined,
    );
    expect((await getRun(runId)).body.status).toBe("completed");
    expect(JSON.stringify(await schemaOf(runId))).toBe(before);
  });
});
