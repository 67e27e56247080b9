import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Part of the D1 schema (re-exported by schema.ts, which drizzle-kit reads): the waits inbox.

/**
 * The waits inbox: one row per human wait, kept by the run's object through the same index outbox as
 * the run summary (docs/approvals.md). A write applies only over an older `version` of the run.
 */
export const waits = sqliteTable(
  "waits",
  {
    waitId: text("wait_id").primaryKey(),
    runId: text("run_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    stepId: text("step_id").notNull(),
    type: text("type", { enum: ["form", "approval", "fix"] }).notNull(),
    status: text("status", { enum: ["open", "closed"] }).notNull(),
    /** JSON: [{email, status}], as the inbox lists them. */
    recipients: text("recipients").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    closedAt: integer("closed_at"),
    /** The run version this row was written at. */
    version: integer("version").notNull(),
  },
  (t) => [
    index("waits_status_created_idx").on(t.status, t.createdAt, t.waitId),
    index("waits_workflow_status_created_idx").on(t.workflowId, t.status, t.createdAt, t.waitId),
    index("waits_run_idx").on(t.runId, t.status),
  ],
);

/** Who a wait addresses, for the inbox's `recipient` filter (one row per wait and address). */
export const waitRecipients = sqliteTable(
  "wait_recipients",
  {
    waitId: text("wait_id").notNull(),
    email: text("email").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.waitId, t.email] }),
    index("wait_recipients_email_idx").on(t.email, t.waitId),
  ],
);

export type WaitRow = typeof waits.$inferSelect;
