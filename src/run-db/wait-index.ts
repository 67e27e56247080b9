// The waits a run's index write carries to D1's inbox (src/db/wait-index.ts).
import type { RunRow } from "../db/schema";
import type { WaitIndexWrite } from "../db/wait-index";
import { openHumanWaits } from "../engine/lanes";
import type { HumanWait, Pending } from "../engine/state";
import { waitItem } from "../engine/wait-view";
import type { RunDb } from "./client";
import { one } from "./sql";

/** The open human waits of a stored run row (several while parallel branches wait). */
export function openWaitsOf(row: RunRow): HumanWait[] {
  const pending = row.pending ? (JSON.parse(row.pending) as Pending) : null;
  return openHumanWaits({ status: row.status, currentStep: row.currentStep, pending });
}

/** An unsent write keeps at most this many closed waits (most transitions close one). */
const MAX_CARRIED = 8;

const UNSENT = "SELECT summary FROM index_outbox WHERE run_id = ?";

/**
 * The waits to write with the run's summary at its current version: the wait the transition closed,
 * the open one, and those an earlier write not yet sent carried (the newest write replaces it; a run
 * `created` by this transaction has none, so its write skips the read).
 */
export function indexedWaits(
  db: RunDb,
  row: RunRow,
  closed: readonly HumanWait[] = [],
  created = false,
): WaitIndexWrite[] {
  const run = { id: row.id, workflowId: row.workflowId };
  const now: WaitIndexWrite[] = [
    ...closed.map((w) => ({ ...waitItem(run, w, row.updatedAt), version: row.version })),
    ...openWaitsOf(row).map((w) => ({ ...waitItem(run, w, null), version: row.version })),
  ];
  const earlier = created ? null : one<{ summary: string }>(db, UNSENT, row.id);
  const carried = earlier ? ((JSON.parse(earlier.summary) as { waits?: WaitIndexWrite[] }).waits ?? []) : [];
  const kept = carried.filter((w) => !now.some((n) => n.waitId === w.waitId));
  return [...kept.slice(-MAX_CARRIED), ...now];
}
