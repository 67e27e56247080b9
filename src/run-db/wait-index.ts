// The waits a run's index write carries to D1's inbox (src/db/wait-index.ts).
import { eq } from "drizzle-orm";
import type { RunRow } from "../db/schema";
import type { WaitIndexWrite } from "../db/wait-index";
import type { HumanWait, Pending } from "../engine/state";
import { waitItem } from "../engine/wait-view";
import type { RunDb } from "./client";
import { indexOutbox } from "./schema";

/** An unsent write keeps at most this many closed waits (a run closes one wait per transition). */
const MAX_CARRIED = 8;

/**
 * The waits to write with the run's summary at its current version: the wait the transition closed,
 * the open one, and those an earlier write not yet sent carried (the newest write replaces it).
 */
export function indexedWaits(db: RunDb, row: RunRow, closed?: HumanWait): WaitIndexWrite[] {
  const now: WaitIndexWrite[] = [];
  const run = { id: row.id, workflowId: row.workflowId };
  if (closed) now.push({ ...waitItem(run, closed, row.updatedAt), version: row.version });
  const pending = row.pending ? (JSON.parse(row.pending) as Pending) : null;
  if (row.status === "waiting" && pending?.kind === "human") {
    now.push({ ...waitItem(run, pending, null), version: row.version });
  }
  const unsent = db
    .select({ summary: indexOutbox.summary })
    .from(indexOutbox)
    .where(eq(indexOutbox.runId, row.id))
    .get();
  const carried = unsent ? ((JSON.parse(unsent.summary) as { waits?: WaitIndexWrite[] }).waits ?? []) : [];
  const kept = carried.filter((w) => !now.some((n) => n.waitId === w.waitId));
  return [...kept.slice(-MAX_CARRIED), ...now];
}
