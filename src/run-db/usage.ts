import { type RunUsage, usageOf } from "../engine/usage";
import type { RunDb } from "./client";
import { events } from "./schema";
import { all, selectList } from "./sql";

/** The events a run's usage is folded from. */
export const USAGE_EVENT_TYPES: ReadonlySet<string> = new Set(["ai.response", "ai.fixed"]);

const USAGE_EVENTS = `SELECT ${selectList(events, ["type", "stepId", "data"])} FROM events
  WHERE run_id = ? AND type IN (${[...USAGE_EVENT_TYPES].map((t) => `'${t}'`).join(", ")}) ORDER BY id`;

/** What the run's AI steps used so far, from its `ai.response` and `ai.fixed` events (src/engine/usage.ts). */
export function runUsage(db: RunDb, runId: string): RunUsage {
  const rows = all<{ type: string; stepId: string | null; data: string | null }>(db, USAGE_EVENTS, runId);
  return usageOf(
    rows.map((r) => ({ ...r, data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null })),
  );
}
