import { and, asc, eq, inArray } from "drizzle-orm";
import { type RunUsage, usageOf } from "../engine/usage";
import type { RunDb } from "./client";
import { events } from "./schema";

/** What the run's AI steps used so far, from its `ai.response` and `ai.fixed` events (src/engine/usage.ts). */
export function runUsage(db: RunDb, runId: string): RunUsage {
  const rows = db
    .select({ type: events.type, stepId: events.stepId, data: events.data })
    .from(events)
    .where(and(eq(events.runId, runId), inArray(events.type, ["ai.response", "ai.fixed"])))
    .orderBy(asc(events.id))
    .all();
  return usageOf(
    rows.map((r) => ({ ...r, data: r.data ? (JSON.parse(r.data) as Record<string, unknown>) : null })),
  );
}
