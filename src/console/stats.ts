import { RunStatusEnum } from "../api/schemas/executions";
import { countRunsByStatus } from "../db/run-index";
import type { RunStatus } from "../engine/state";

/**
 * A workflow's stats as the workflow page shows them, in the shape of `GET /v1/workflows/{id}/stats`.
 * Until that endpoint's function is on this branch, only the runs per status are known (from D1's
 * run index); durations and AI usage are null / absent and the page says so.
 */
export interface WorkflowStats {
  runs: { total: number; by_status: Record<RunStatus, number> };
  duration_ms: { p50: number | null; p95: number | null };
  ai?: {
    attempts: number;
    re_asks: number;
    human_fixes: number;
    tokens_prompt: number;
    tokens_output: number;
    cost_usd: number;
  };
}

/** The stats of one workflow's runs (all versions). Point this at the stats endpoint's function when it lands. */
export async function workflowStats(env: Env, workflowId: string): Promise<WorkflowStats> {
  const counts = await countRunsByStatus(env.DB, { workflowId });
  const by_status = Object.fromEntries(RunStatusEnum.options.map((s) => [s, counts[s] ?? 0])) as Record<
    RunStatus,
    number
  >;
  const total = Object.values(by_status).reduce((a, b) => a + b, 0);
  return { runs: { total, by_status }, duration_ms: { p50: null, p95: null } };
}

/** Completed runs over finished ones (completed, rejected, failed, cancelled); null before any finished. */
export function completionRate(s: WorkflowStats): number | null {
  const b = s.runs.by_status;
  const finished = b.completed + b.rejected + b.failed + b.cancelled;
  return finished === 0 ? null : b.completed / finished;
}
