// The durable outbox of index writes (see store.ts): what the object still owes D1's run index.
import type { RunSummaryRow } from "../db/run-index";
import type { WaitIndexWrite } from "../db/wait-index";
import type { RunDb } from "./client";
import { indexOutbox } from "./schema";
import { exec, one, selectList, updateRows } from "./sql";

const PENDING = `SELECT ${selectList(indexOutbox)} FROM index_outbox LIMIT 1`;
const OWED = "SELECT retry_at AS retryAt FROM index_outbox LIMIT 1";
const WRITE_AT = "run_id = ? AND version = ?";

/** An index write not yet acknowledged by D1. */
export interface PendingIndexWrite {
  version: number;
  summary: RunSummaryRow;
  /** The run's waits to write with it (the open one, and any it closed since the last write). */
  waits: WaitIndexWrite[];
  failures: number;
  retryAt: number | null;
}

/** The index write this object owes, if any. */
export function pendingIndexWrite(db: RunDb): PendingIndexWrite | null {
  const row = one<typeof indexOutbox.$inferSelect>(db, PENDING);
  if (!row) return null;
  // The waits travel in the summary's JSON (an outbox row written before them has none).
  const { waits = [], ...summary } = JSON.parse(row.summary) as RunSummaryRow & { waits?: WaitIndexWrite[] };
  return {
    version: row.version,
    summary,
    waits,
    failures: row.failures,
    retryAt: row.retryAt,
  };
}

/** Whether this object owes D1 an index write, and when the alarm tries it again (null: not failed yet). */
export function indexOwed(db: RunDb): { retryAt: number | null } | null {
  return one(db, OWED);
}

/** D1 has the summary at `version`: done, unless a newer transition owes a newer one meanwhile. */
export function indexWritten(db: RunDb, runId: string, version: number): void {
  exec(db, `DELETE FROM index_outbox WHERE ${WRITE_AT}`, runId, version);
}

/** The write at `version` failed: count it and say when the alarm tries again. */
export function indexWriteFailed(
  db: RunDb,
  runId: string,
  version: number,
  failures: number,
  retryAt: number,
) {
  updateRows(db, indexOutbox, { failures, retryAt }, WRITE_AT, runId, version);
}
