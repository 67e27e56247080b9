// The index across runs in D1: one summary row per run, written by the run's object after each
// transition (src/durable/index-sync.ts) and read by lists. Writes are ordered by the run's version.
import { and, count, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import type { RunStatus } from "../engine/state";
import type { RunUsage } from "../engine/usage";
import { getDb } from "./client";
import { type RunIndexRow, runIndex } from "./schema";
import { excludedSet, fieldsOf, insertText, valuesOf } from "./sql-text";

export type RunSummaryRow = RunIndexRow;

/** What a list item shows of a run. */
export interface RunSummary {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: RunStatus;
  currentStep: string | null;
  error: unknown;
  createdAt: number;
  updatedAt: number;
  usage: RunUsage;
  /** The run whose `workflow` step started this one, or null. */
  parentRunId: string | null;
}

/** Columns a later summary never changes: the run's identity and origin (the row's key among them). */
const FIXED = ["id", "workflowId", "workflowVersion", "createdBy", "idempotencyKey", "createdAt"];
const SUMMARY_FIELDS = fieldsOf(runIndex);

/**
 * The upsert of one summary, applied only over an older version (a retried or out-of-order write never
 * overwrites a newer one; repeating one changes nothing). Constant text (src/db/sql-text.ts). A run's
 * parent never changes, but is set again so that a row written before migration 0006 gets it.
 */
const SUMMARY_UPSERT = insertText(
  runIndex,
  SUMMARY_FIELDS,
  1,
  `ON CONFLICT (created_at, id) DO UPDATE SET ${excludedSet(
    runIndex,
    SUMMARY_FIELDS.filter((f) => !FIXED.includes(f)),
  )} WHERE run_index.version < excluded.version`,
);

/** Writes summaries in one batch (see summaryStatement). */
export async function upsertRunSummaries(d1: D1Database, rows: readonly RunSummaryRow[]): Promise<void> {
  if (rows.length > 0) await d1.batch(rows.map((row) => summaryStatement(d1, row)));
}

/** The upsert of one summary as a D1 statement (batched with the run's waits). */
export function summaryStatement(d1: D1Database, row: RunSummaryRow): D1PreparedStatement {
  return d1.prepare(SUMMARY_UPSERT).bind(...valuesOf(row, SUMMARY_FIELDS));
}

/** A run's summary as D1 holds it, or null (what tests and the bench read to measure the index lag). */
export async function getRunSummary(d1: D1Database, runId: string): Promise<RunSummaryRow | null> {
  return (await getDb(d1).select().from(runIndex).where(eq(runIndex.id, runId)).get()) ?? null;
}

const toSummary = (r: RunSummaryRow): RunSummary => ({
  id: r.id,
  workflowId: r.workflowId,
  workflowVersion: r.workflowVersion,
  status: r.status,
  currentStep: r.currentStep,
  error: r.error === null ? null : JSON.parse(r.error),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  parentRunId: r.parentRunId,
  usage: {
    ...{ tokens_prompt: r.tokensPrompt, tokens_output: r.tokensOutput, cost_usd: r.costUsd },
    ...{ ai_attempts: r.aiAttempts, re_asks: r.reAsks, human_fixes: r.humanFixes },
  },
});

/** What a list of runs may be narrowed to: a workflow, a status, created in [createdFrom, createdTo). */
export interface RunFilter {
  workflowId?: string | undefined;
  status?: RunStatus | undefined;
  createdFrom?: number | undefined;
  createdTo?: number | undefined;
}

const filtered = (q: RunFilter): SQL | undefined =>
  and(
    q.workflowId ? eq(runIndex.workflowId, q.workflowId) : undefined,
    q.status ? eq(runIndex.status, q.status) : undefined,
    q.createdFrom !== undefined ? gte(runIndex.createdAt, q.createdFrom) : undefined,
    q.createdTo !== undefined ? lt(runIndex.createdAt, q.createdTo) : undefined,
  );

/** Runs newest first, optionally filtered, after the (created_at, id) of the previous page's last item. */
export async function listRuns(
  d1: D1Database,
  q: RunFilter & { limit: number; after?: { t: number; id: string } | undefined },
): Promise<RunSummary[]> {
  const after = q.after;
  const rows = await getDb(d1)
    .select()
    .from(runIndex)
    .where(
      and(
        filtered(q),
        after
          ? or(
              lt(runIndex.createdAt, after.t),
              and(eq(runIndex.createdAt, after.t), lt(runIndex.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(runIndex.createdAt), desc(runIndex.id))
    .limit(q.limit + 1)
    .all();
  return rows.map(toSummary);
}

/** How many runs match `q` (its status ignored), per status: one grouped query. */
export async function countRunsByStatus(
  d1: D1Database,
  q: Omit<RunFilter, "status">,
): Promise<Partial<Record<RunStatus, number>>> {
  const rows = await getDb(d1)
    .select({ status: runIndex.status, n: count() })
    .from(runIndex)
    .where(filtered({ ...q, status: undefined }))
    .groupBy(runIndex.status)
    .all();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
