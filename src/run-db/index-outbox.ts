// The durable outbox of index writes (see store.ts): what the object still owes D1's run index.
import { and, eq } from "drizzle-orm";
import type { RunSummaryRow } from "../db/run-index";
import type { WaitIndexWrite } from "../db/wait-index";
import type { RunDb } from "./client";
import { indexOutbox } from "./schema";

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
  const row = db.select().from(indexOutbox).limit(1).get();
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

/** D1 has the summary at `version`: done, unless a newer transition owes a newer one meanwhile. */
export function indexWritten(db: RunDb, runId: string, version: number): void {
  db.delete(indexOutbox)
    .where(and(eq(indexOutbox.runId, runId), eq(indexOutbox.version, version)))
    .run();
}

/** The write at `version` failed: count it and say when the alarm tries again. */
export function indexWriteFailed(
  db: RunDb,
  runId: string,
  version: number,
  failures: number,
  retryAt: number,
) {
  db.update(indexOutbox)
    .set({ failures, retryAt })
    .where(and(eq(indexOutbox.runId, runId), eq(indexOutbox.version, version)))
    .run();
}
