import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getRunSummary } from "../../src/db/run-index";
import { listWaits } from "../../src/db/wait-index";
import { directTo, IndexSync, withTimeout } from "../../src/durable/index-sync";
import { INDEX_BATCH_MAX, type IndexWriter, indexWriterFor } from "../../src/durable/index-writer";
import { createLogger } from "../../src/lib/logger";
import type { RunDb } from "../../src/run-db/client";
import { enqueueIndexWrite } from "../../src/run-db/index-entry";
import { pendingIndexWrite } from "../../src/run-db/index-outbox";
import { api } from "../helpers/api";
import { summaryAt, waitAt } from "../helpers/index-rows";
import { indexSettled, runStubOf } from "../helpers/run-db";
import { startedRun } from "../helpers/runs";

// The index writer: the index writes of many runs reach D1 as one batch, and a write D1 refuses, or a
// writer that fails, never costs another run's write or the run's own.

/**
 * A writer object of its own, whose D1 batches the test counts (statements per batch); `gatherMs`
 * widens its window, so that writes the test sends together meet even on a loaded machine.
 */
async function countedWriter(name: string, gatherMs?: number) {
  const stub = env.INDEX_WRITER.get(env.INDEX_WRITER.idFromName(name));
  const batches: number[] = [];
  await runInDurableObject(stub, (instance: IndexWriter) => {
    const d1 = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: (statements: D1PreparedStatement[]) => {
        batches.push(statements.length);
        return env.DB.batch(statements);
      },
    };
    (instance as unknown as { env: Env }).env = { ...env, DB: d1 as unknown as D1Database };
    if (gatherMs !== undefined) (instance as unknown as { gatherMs: number }).gatherMs = gatherMs;
  });
  return { stub, batches };
}

describe("the index writer", () => {
  it("writes the index writes of many runs that arrive together as one D1 batch", async () => {
    const { stub, batches } = await countedWriter("test-writer-many", 2_000);
    const ids = Array.from({ length: 12 }, (_, i) => `run_writer_many_${i}`);
    await Promise.all(
      ids.map((id) => stub.write({ summary: summaryAt(id, 1, "waiting"), waits: [waitAt(id, 1, "open")] })),
    );
    // One batch: per run its summary, its wait, the wait's recipients and the close of its other waits.
    expect(batches).toEqual([12 * 4]);
    for (const id of ids) expect((await getRunSummary(env.DB, id))?.status).toBe("waiting");
    const open = await listWaits(env.DB, { limit: 100, status: "open", workflowId: "rows-flow" });
    expect(open.map((w) => w.runId)).toEqual(expect.arrayContaining(ids));
  });

  it("sends more writes than a batch takes in several batches, none lost", async () => {
    const { stub, batches } = await countedWriter("test-writer-overflow");
    const ids = Array.from({ length: INDEX_BATCH_MAX + 5 }, (_, i) => `run_writer_overflow_${i}`);
    await Promise.all(ids.map((id) => stub.write({ summary: summaryAt(id, 1, "running"), waits: [] })));
    // Two statements per run without waits; as many batches as their arrival takes, none over the limit.
    const runsPerBatch = batches.map((n) => n / 2);
    expect(runsPerBatch.reduce((a, b) => a + b, 0)).toBe(ids.length);
    expect(Math.max(...runsPerBatch)).toBeLessThanOrEqual(INDEX_BATCH_MAX);
    expect(runsPerBatch.length).toBeGreaterThanOrEqual(2);
    for (const id of ids) expect(await getRunSummary(env.DB, id)).not.toBeNull();
  });

  it("a write D1 refuses fails alone: the others of its batch land", async () => {
    const { stub } = await countedWriter("test-writer-refused");
    const good = ["run_writer_good_1", "run_writer_good_2"];
    // status is NOT NULL in run_index: D1 refuses this summary, and with it the batch it rode in.
    const bad = { ...summaryAt("run_writer_bad", 1, "waiting"), status: null as unknown as "waiting" };
    const results = await Promise.all([
      stub.write({ summary: summaryAt(good[0] as string, 1, "waiting"), waits: [] }),
      stub.write({ summary: bad, waits: [] }),
      stub.write({ summary: summaryAt(good[1] as string, 1, "waiting"), waits: [] }),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({ error: expect.stringMatching(/NOT NULL/i) });
    for (const id of good) expect((await getRunSummary(env.DB, id))?.status).toBe("waiting");
    expect(await getRunSummary(env.DB, "run_writer_bad")).toBeNull();
  });

  it("is where a run's object sends its index write after an answer", async () => {
    const { stub, batches } = await countedWriter("index-writer-0");
    expect(indexWriterFor(env, "run_any").id.toString()).toBe(stub.id.toString());
    const created = await api("POST", "/v1/workflows", {
      yaml: "id: writer-flow\nname: Writer flow\nstart_step: ask\nsteps:\n  - { id: ask, type: form, fields: [{ name: a, type: string }] }\n",
    });
    expect(created.status).toBe(201);
    const run = await startedRun("writer-flow");
    await indexSettled(run.run_id);
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect((await getRunSummary(env.DB, run.run_id))?.status).toBe("waiting");
  });
});

describe("a run's object when the writer fails", () => {
  it("keeps the write with a retry time, and the alarm's retry writes it straight to D1", async () => {
    const run = await startedRun("writer-flow");
    await indexSettled(run.run_id);
    await env.DB.prepare("DELETE FROM run_index WHERE id = ?").bind(run.run_id).run();
    await runInDurableObject(runStubOf(run.run_id), async (instance) => {
      const db = (instance as unknown as { db: RunDb }).db;
      const broken = async () => {
        throw new Error("writer unavailable");
      };
      const sync = new IndexSync(db, broken, directTo(env.DB), async () => undefined, 0);
      const log = createLogger("error");
      enqueueIndexWrite(db, run.run_id);
      sync.kick(log);
      await sync.settled();
      const owed = pendingIndexWrite(db);
      expect(owed?.failures).toBe(1);
      expect(owed?.retryAt).toBeGreaterThan(Date.now());
      expect(await getRunSummary(env.DB, run.run_id)).toBeNull();
      expect(await sync.writeOnce(log, true)).toBe("written");
      expect(pendingIndexWrite(db)).toBeNull();
    });
    expect((await getRunSummary(env.DB, run.run_id))?.status).toBe("waiting");
  });
});

describe("a write to the writer", () => {
  it("counts as failed when the writer never answers", async () => {
    const never = () => new Promise<never>(() => undefined);
    const write = { summary: summaryAt("run_never", 1, "waiting"), waits: [] };
    await expect(withTimeout(never, 20)(write)).rejects.toThrow(/no answer in 20 ms/);
  });
});
