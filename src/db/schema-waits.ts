import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Part of the D1 schema (re-exported by schema.ts, which drizzle-kit reads): the waits inbox.
// Every index entry is a row D1 counts as written, so the tables are lean: both are WITHOUT ROWID
// (migration 0005; drizzle has no word for it), keyed by what the inbox pages by, and the indexes
// that only open waits need are partial (an entry is written when a wait opens and dropped, at no
// written row, when it closes).

/**
 * The waits inbox: one row per human wait, kept by the run's object through the same index outbox as
 * the run summary (docs/approvals.md). A write applies only over an older `version` of the run. The key
 * is the inbox's order, (created_at, wait_id): a wait's creation time never changes.
 */
export const waits = sqliteTable(
  "waits",
  {
    waitId: text("wait_id").notNull(),
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
    primaryKey({ columns: [t.createdAt, t.waitId] }),
    // The open waits, newest first (the console's inbox, `status=open`).
    index("waits_open_created_idx").on(t.createdAt, t.waitId).where(sql`status = 'open'`),
    // A run's open waits (the sweep that closes those the run no longer has).
    index("waits_open_run_idx").on(t.runId).where(sql`status = 'open'`),
    index("waits_workflow_created_idx").on(t.workflowId, t.createdAt, t.waitId),
  ],
);

/** Who a wait addresses, for the inbox's `recipient` filter (one row per address and wait, no index). */
export const waitRecipients = sqliteTable(
  "wait_recipients",
  {
    email: text("email").notNull(),
    createdAt: integer("created_at").notNull(),
    waitId: text("wait_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.email, t.createdAt, t.waitId] })],
);

export type WaitRow = typeof waits.$inferSelect;
