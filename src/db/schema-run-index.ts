import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { usageColumns } from "./usage-columns";

/**
 * The index across runs: one summary row per run, kept by the run's object (its record lives in the
 * object's own SQLite). A write applies only over an older `version`, so a stale write never wins. Its
 * key is the lists' order, (created_at, id) (a run's creation time never changes), and the table is
 * WITHOUT ROWID (migration 0005): no index of its own for that order, no second row for the key.
 */
export const runIndex = sqliteTable(
  "run_index",
  {
    id: text("id").notNull(),
    workflowId: text("workflow_id").notNull(),
    workflowVersion: integer("workflow_version").notNull(),
    status: text("status", {
      enum: ["running", "waiting", "completed", "rejected", "failed", "cancelled"],
    }).notNull(),
    currentStep: text("current_step"),
    error: text("error"),
    /** The open human wait (for an inbox): its step, type and deadline; null otherwise. */
    waitStepId: text("wait_step_id"),
    waitType: text("wait_type"),
    waitExpiresAt: integer("wait_expires_at"),
    version: integer("version").notNull(),
    createdBy: text("created_by").notNull(),
    idempotencyKey: text("idempotency_key"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
    /** The run whose `workflow` step started this one (null: none, or written before migration 0006). */
    parentRunId: text("parent_run_id"),
    ...usageColumns,
  },
  (t) => [
    primaryKey({ columns: [t.createdAt, t.id] }),
    index("run_index_workflow_created_idx").on(t.workflowId, t.createdAt, t.id),
    index("run_index_status_created_idx").on(t.status, t.createdAt, t.id),
  ],
);

export type RunIndexRow = typeof runIndex.$inferSelect;
