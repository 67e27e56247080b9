import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/lib/ids";
import { signResumeToken } from "../../src/tokens";
import { api } from "../helpers/api";
import { indexSettled, runDb } from "../helpers/run-db";
import { getRun, noteForm, resumeRun, startedRun } from "../helpers/runs";
import { claimsOf, testKeyring } from "../helpers/tokens";

// A run created before a run's record moved into its Durable Object lives in D1's runs, run_steps,
// events and resume_tokens tables. It can still be read, resumed and finished: its object imports it.

const FLOW = noteForm("legacy-flow", "Legacy flow");

type Row = Record<string, string | number | null>;

/** Writes `rows` into a D1 table as the old transition batch did, one INSERT per row. */
async function insertD1(table: string, rows: Row[]): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    const marks = columns.map(() => "?").join(", ");
    await env.DB.prepare(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${marks})`)
      .bind(...Object.values(row))
      .run();
  }
}

/** A waiting run written to D1 only, the old way; its id and a signed link to its wait. */
async function legacyRun(): Promise<{ runId: string; token: string }> {
  // A real run's rows, as the old batch wrote them, moved to a run id D1 alone knows.
  const model = await startedRun("legacy-flow");
  // In the order they were written (run_steps and runs have no rowid: their key, or seq and attempt).
  const order: Record<string, string> = { runs: "id", run_steps: "seq, attempt" };
  const read = async (table: string, column = "run_id") =>
    (
      await runDb(model.run_id)
        .prepare(`SELECT * FROM ${table} WHERE ${column} = ? ORDER BY ${order[table] ?? "rowid"}`)
        .bind(model.run_id)
        .all<Row>()
    ).results;
  const runId = newId("run");
  const moved = (rows: Row[], column = "run_id") => rows.map((r) => ({ ...r, [column]: runId }));
  const fresh = (rows: Row[], key: string) => rows.map((r) => ({ ...r, [key]: `${r[key]}_old` }));
  await insertD1("runs", moved(await read("runs", "id"), "id"));
  await insertD1("run_steps", fresh(moved(await read("run_steps")), "id"));
  await insertD1(
    "events",
    moved(await read("events")).map(({ id: _id, ...e }) => e),
  );
  await insertD1("resume_tokens", fresh(moved(await read("resume_tokens")), "jti"));
  const claims = await claimsOf(model.waiting?.resume_token ?? "");
  const token = await signResumeToken(testKeyring(), { ...claims, runId, jti: `${claims.jti}_old` });
  return { runId, token };
}

beforeAll(async () => {
  expect((await api("POST", "/v1/workflows", { yaml: FLOW })).status).toBe(201);
});

describe("a run created before its record moved into its object", () => {
  it("is read, shown on its link page, resumed and finished; the index follows", async () => {
    const { runId, token } = await legacyRun();
    const status = await getRun(runId);
    expect(status.status, status.text).toBe(200);
    expect(status.body).toMatchObject({ run_id: runId, status: "waiting", current_step: "ask" });
    const history = await api<{ steps: Array<{ step_id: string }> }>(
      "GET",
      `/v1/executions/${runId}/history`,
    );
    expect(history.body.steps.map((s) => s.step_id)).toEqual(["ask"]);
    const page = await api("GET", `/r/${token}`, { key: null });
    expect(page.status).toBe(200);

    const done = await resumeRun(runId, token, { note: "from the old days" });
    expect(done.status, done.text).toBe(200);
    expect(done.body.status).toBe("completed");
    const context = await api<{ runtime: { answer: { note: string } } }>(
      "GET",
      `/v1/executions/${runId}/context`,
    );
    expect(context.body.runtime.answer.note).toBe("from the old days");
    const again = await resumeRun(runId, token, { note: "twice" });
    expect(again.status).toBe(409);

    await indexSettled(runId);
    const summary = await env.DB.prepare("SELECT status, version FROM run_index WHERE id = ?")
      .bind(runId)
      .first<{ status: string; version: number }>();
    expect(summary?.status).toBe("completed");
  });

  it("answers 404 for a run neither its object nor D1 knows", async () => {
    expect((await getRun(newId("run"))).status).toBe(404);
  });
});
