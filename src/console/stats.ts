import { workflowStats as statsOf, type WorkflowStats } from "../db/run-stats";

export type { WorkflowStats } from "../db/run-stats";

/** The stats of one workflow's runs (all versions): what `GET /v1/workflows/{id}/stats` answers. */
export function workflowStats(env: Env, workflowId: string): Promise<WorkflowStats> {
  return statsOf(env.DB, workflowId, 0);
}

/** Completed runs over finished ones (completed, rejected, failed, cancelled); null before any finished. */
export function completionRate(s: WorkflowStats): number | null {
  const b = s.runs.by_status;
  const finished = b.completed + b.rejected + b.failed + b.cancelled;
  return finished === 0 ? null : b.completed / finished;
}
