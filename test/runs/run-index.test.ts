import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { getRunSummary, upsertRunSummaries } from "../../src/db/run-index";
import { writeRunIndex } from "../../src/db/wait-index";
import { directTo, IndexSync, type Timer } from "../../src/durable/index-sync";
import { createLogger } from "../../src/lib/logger";
import type { RunDb } from "../../src/run-db/client";
import { enqueueIndexWrite } from "../../src/run-db/index-entry";
import { pendingIndexWrite } from "../../src/run-db/index-outbox";
import { api } from "../helpers/api";
import { summaryAt, waitAt } from "../helpers/index-rows";
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

describe("what the index costs D1 (rows written, index entries included: docs/scaling.md)", () => {
  it("a wait open across two writes: 8 rows to open it with the run, 3 to close it, none to repeat", async () => {
    const id = "run_rows_two_writes";
    // The run's row and 2 index entries, the wait's row and 3, its recipient's row.
    expect(await writeRunIndex(env.DB, summaryAt(id, 1, "waiting"), [waitAt(id, 1, "open")])).toBe(8);
    // The same wait again at a newer version, unchanged: the summary alone.
    expect(await writeRunIndex(env.DB, summaryAt(id, 2, "waiting"), [waitAt(id, 2, "open")])).toBe(2);
    expect(await writeRunIndex(env.DB, summaryAt(id, 3, "running"), [waitAt(id, 3, "closed")])).toBe(3);
    expect(await writeRunIndex(env.DB, summaryAt(id, 3, "running"), [waitAt(id, 3, "closed")])).toBe(0);
    // A stale write (an older version) writes nothing, its waits included.
    expect(await writeRunIndex(env.DB, summaryAt(id, 2, "waiting"), [waitAt(id, 2, "open")])).toBe(0);
  });

  it("a wait opened and closed before the write: 6 rows, run included", async () => {
    const id = "run_rows_one_write";
    expect(await writeRunIndex(env.DB, summaryAt(id, 2, "running"), [waitAt(id, 2, "closed")])).toBe(6);
  });
});

/** A timer the test fires by hand. */
function handTimer() {
  const due: (() => void)[] = [];
  const timer: Timer = {
    set: (fn) => due.push(fn),
    clear: () => undefined,
  };
  return {
    timer,
    due,
    fire: () => {
      for (const fn of due.splice(0)) fn();
    },
  };
}

describe("the object's index writes", () => {
  it("holds a write so that the entries that follow ride in it: one D1 batch for several transitions", async () => {
    const run = await startedRun("index-flow");
    await indexSettled(run.run_id);
    await runInDurableObject(runStubOf(run.run_id), async (instance) => {
      const db = (instance as unknown as { db: RunDb }).db;
      let batches = 0;
      const d1 = {
        prepare: (query: string) => env.DB.prepare(query),
        batch: (statements: D1PreparedStatement[]) => {
          batches++;
          return env.DB.batch(statements);
        },
      };
      const { timer, due, fire } = handTimer();
      const direct = directTo(d1 as unknown as D1Database);
      const sync = new IndexSync(db, direct, direct, async () => undefined, 200, timer);
      const log = createLogger("error");
      for (let i = 0; i < 3; i++) {
        enqueueIndexWrite(db, run.run_id);
        sync.kick(log);
      }
      expect(due).toHaveLength(1);
      expect(batches).toBe(0);
      fire();
      await sync.settled();
      expect(batches).toBe(1);
      expect(pendingIndexWrite(db)).toBeNull();
      // settled() sends a held write at once.
      enqueueIndexWrite(db, run.run_id);
      sync.kick(log);
      await sync.settled();
      expect(batches).toBe(2);
      expect(pendingIndexWrite(db)).toBeNull();
    });
  });
});
