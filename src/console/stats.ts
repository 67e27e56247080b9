import { countRunsByStatus } from "../db/run-index";
import type { RunStatus } from "../engine/state";

/**
 * What the workflow page shows of a workflow's stats. Today it is computed from D1's run index
 * (runs per status); when `GET /v1/workflows/{id}/stats` lands, point `workflowStats` at its function
 * and fill the optional fields: the page already shows them when present.
 */
export interface WorkflowStats {
  runs: Partial<Record<RunStatus, number>>;
  total: number;
  /** Completed runs over finished runs (completed, rejected, failed, cancelled); null before any finished. */
  completionRate: number | null;
  durationP50Ms?: number;
  durationP95Ms?: number;
  costUsd?: number;
  tokens?: number;
}

/** The stats of one workflow (all its versions). */
export async function workflowStats(env: Env, workflowId: string): Promise<WorkflowStats> {
  const runs = await countRunsByStatus(env.DB, { workflowId });
  const total = Object.values(runs).reduce((a, b) => a + (b ?? 0), 0);
  const finished = (runs.completed ?? 0) + (runs.rejected ?? 0) + (runs.failed ?? 0) + (runs.cancelled ?? 0);
  return { runs, total, completionRate: finished === 0 ? null : (runs.completed ?? 0) / finished };
}
