// A workflow's stats from the run index: counts per status, AI usage totals and the run duration
// percentiles, read in one batch (one consistent snapshot) over the (workflow_id, created_at) index.
import type { RunStatus } from "../engine/state";
import { roundUsd } from "../engine/usage";
import { AppError } from "../lib/errors";

export interface WorkflowStats {
  runs: { total: number; by_status: Record<RunStatus, number> };
  /** Nearest-rank percentiles of created → finished, over the runs that finished; null without any. */
  duration_ms: { p50: number | null; p95: number | null };
  ai: {
    attempts: number;
    re_asks: number;
    human_fixes: number;
    tokens_prompt: number;
    tokens_output: number;
    cost_usd: number;
  };
}

interface StatusRow {
  status: RunStatus;
  runs: number;
  attempts: number;
  re_asks: number;
  human_fixes: number;
  tokens_prompt: number;
  tokens_output: number;
  cost_usd: number;
}

const STATUSES: RunStatus[] = ["running", "waiting", "completed", "rejected", "failed", "cancelled"];

const WHERE = "workflow_id = ?1 AND created_at >= ?2";

const BY_STATUS = `SELECT status, count(*) AS runs,
  sum(ai_attempts) AS attempts, sum(re_asks) AS re_asks, sum(human_fixes) AS human_fixes,
  sum(tokens_prompt) AS tokens_prompt, sum(tokens_output) AS tokens_output, sum(cost_usd) AS cost_usd
  FROM run_index WHERE ${WHERE} GROUP BY status`;

// Rank ceil(p·n) in integer arithmetic: (n + 1) / 2 for p50, (95n + 99) / 100 for p95.
const PERCENTILES = `SELECT d, rn, n FROM (
  SELECT finished_at - created_at AS d, row_number() OVER (ORDER BY finished_at - created_at) AS rn,
    count(*) OVER () AS n
  FROM run_index WHERE ${WHERE} AND finished_at IS NOT NULL
) WHERE rn = (n + 1) / 2 OR rn = (95 * n + 99) / 100`;

/** The stats of `workflowId`'s runs created at or after `since` (ms); 404 for a workflow never saved. */
export async function workflowStats(
  d1: D1Database,
  workflowId: string,
  since: number,
): Promise<WorkflowStats> {
  const [known, grouped, ranked] = await d1.batch([
    d1.prepare("SELECT 1 AS one FROM workflows WHERE id = ?1").bind(workflowId),
    d1.prepare(BY_STATUS).bind(workflowId, since),
    d1.prepare(PERCENTILES).bind(workflowId, since),
  ]);
  if (!known?.results.length) throw new AppError("not_found", `Workflow '${workflowId}' not found`);
  const rows = (grouped?.results ?? []) as StatusRow[];
  const by_status = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  const ai = { attempts: 0, re_asks: 0, human_fixes: 0, tokens_prompt: 0, tokens_output: 0, cost_usd: 0 };
  for (const r of rows) {
    by_status[r.status] = r.runs;
    for (const k of Object.keys(ai) as (keyof typeof ai)[]) ai[k] += Number(r[k] ?? 0);
  }
  ai.cost_usd = roundUsd(ai.cost_usd);
  const points = (ranked?.results ?? []) as Array<{ d: number; rn: number; n: number }>;
  const at = (rank: (n: number) => number) => points.find((p) => p.rn === rank(p.n))?.d ?? null;
  return {
    runs: { total: rows.reduce((sum, r) => sum + r.runs, 0), by_status },
    duration_ms: {
      p50: at((n) => Math.floor((n + 1) / 2)),
      p95: at((n) => Math.floor((95 * n + 99) / 100)),
    },
    ai,
  };
}
