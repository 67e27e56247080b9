import type { LegacyRun } from "../db/legacy-runs";
import type { RunRow } from "../db/schema";
import type { RunDb } from "./client";
import { enqueueIndexWrite } from "./index-entry";
import { type RunRecord, toRunRecord } from "./run-model";
import { events, mailOutbox, resumeTokens, runSteps, runs } from "./schema";
import { one, selectList } from "./sql";

/** The `runs` row by id, as drizzle would shape it (constant SQL: see sql.ts). */
export function runRow(db: RunDb, runId: string): RunRow | null {
  return one<RunRow>(db, `SELECT ${selectList(runs)} FROM runs WHERE id = ?`, runId);
}

/** The run as its object stores it, or null. */
export function loadRun(db: RunDb, runId: string): RunRecord | null {
  const row = runRow(db, runId);
  return row ? toRunRecord(row) : null;
}

/** The one run this object holds, whatever its id (an object holds at most one), or null. */
export function onlyRun(db: RunDb): RunRecord | null {
  const row = one<RunRow>(db, `SELECT ${selectList(runs)} FROM runs LIMIT 1`);
  return row ? toRunRecord(row) : null;
}

/** The request hash and creator a start recorded (what a replayed Idempotency-Key is checked against). */
export function runOrigin(
  db: RunDb,
  runId: string,
): { requestHash: string | null; createdBy: string } | null {
  const fields = selectList(runs, ["requestHash", "createdBy"]);
  return one(db, `SELECT ${fields} FROM runs WHERE id = ?`, runId);
}

/**
 * Copies a run created before the move from D1's rows, as they are (event ids included), in one
 * transaction, and owes the index its summary. Every later transition builds on it.
 */
export function importLegacyRun(db: RunDb, legacy: LegacyRun): void {
  db.transaction(() => {
    db.insert(runs).values(legacy.run).run();
    for (const s of legacy.steps) db.insert(runSteps).values(s).run();
    for (const e of legacy.events) db.insert(events).values(e).run();
    for (const t of legacy.tokens) db.insert(resumeTokens).values(t).run();
    for (const m of legacy.outbox) db.insert(mailOutbox).values(m).run();
    enqueueIndexWrite(db, legacy.run.id);
  });
}
