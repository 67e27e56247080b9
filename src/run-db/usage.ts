import { type RunUsage, usageOf } from "../engine/usage";
import type { RunDb } from "./client";
import { events } from "./schema";
import { all, selectList } from "./sql";

const USAGE_EVENTS = `SELECT ${selectList(events, ["type", "stepId", "data"])} FROM events
  WHERE run_id = ? AND type IN ('ai.response', 'ai.fixed') ORDER BY id`;

/** What the run's AI steps used so far, from its `ai.response` and `ai.fixed` events (src/engine/usage.ts). */
export function runUsage(db: RunDb, runId: string): RunUsage {
  const rows = all<{ type: string; stepId: string | null; data: string | null }>(db, USAGE_EVENTS, runId);
  return usageOf(
    rows.map((r) => ({ ...r, data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null })),
  );
}
