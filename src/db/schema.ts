import { sql } from "drizzle-orm";
import {
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

export * from "./schedules-schema";

export * from "./schema-run-index";
export * from "./schema-waits";

// All timestamps are integer milliseconds since the epoch; JSON columns hold serialised JSON text.

/** A workflow id and its lifecycle; the definitions themselves live in workflow_versions. */
export const workflows = sqliteTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    latestVersion: integer("latest_version").notNull(),
    name: text("name").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [index("workflows_deleted_id_idx").on(t.deletedAt, t.id)],
);

/** Every saved version of a definition, immutable once written; runs pin one. */
export const workflowVersions = sqliteTable(
  "workflow_versions",
  {
    workflowId: text("workflow_id")
      .notNull()
      .references(() => workflows.id),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    sourceFormat: text("source_format", { enum: ["yaml", "json"] }).notNull(),
    source: text("source").notNull(),
    definition: text("definition").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.version] })],
);

/** One row per run: its status, pinned version, context and the optimistic-concurrency version. */
export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    workflowId: text("workflow_id").notNull(),
    workflowVersion: integer("workflow_version").notNull(),
    status: text("status", {
      enum: ["running", "waiting", "completed", "rejected", "failed", "cancelled"],
    }).notNull(),
    currentStep: text("current_step"),
    context: text("context").notNull(),
    error: text("error"),
    /** What the run is parked on (JSON): a human wait or an AI job in flight; null otherwise. */
    pending: text("pending"),
    /** Steps executed so far; the engine stops a run past its loop budget. */
    stepsExecuted: integer("steps_executed").notNull().default(0),
    /** Bumped by every transition; writes say WHERE version = ? so a lost race writes nothing. */
    version: integer("version").notNull().default(0),
    idempotencyKey: text("idempotency_key"),
    requestHash: text("request_hash"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    index("runs_created_idx").on(t.createdAt, t.id),
    index("runs_workflow_created_idx").on(t.workflowId, t.createdAt, t.id),
    index("runs_status_created_idx").on(t.status, t.createdAt, t.id),
    uniqueIndex("runs_idempotency_idx")
      .on(t.createdBy, t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
    foreignKey({
      columns: [t.workflowId, t.workflowVersion],
      foreignColumns: [workflowVersions.workflowId, workflowVersions.version],
    }),
  ],
);

/** One row per step attempt: a step executed twice (a loop, a retry) has two rows. */
export const runSteps = sqliteTable(
  "run_steps",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id),
    /** Position of this execution in the run (1, 2, ...), shared by the attempts of one execution. */
    seq: integer("seq").notNull(),
    attempt: integer("attempt").notNull().default(1),
    stepId: text("step_id").notNull(),
    type: text("type").notNull(),
    status: text("status", {
      enum: ["running", "waiting", "completed", "failed", "cancelled"],
    }).notNull(),
    input: text("input"),
    output: text("output"),
    error: text("error"),
    /** Token usage, model, latency and other per-attempt facts (JSON). */
    meta: text("meta"),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [uniqueIndex("run_steps_run_seq_attempt_idx").on(t.runId, t.seq, t.attempt)],
);

/** Append-only event log of a run, in order. */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id),
    type: text("type").notNull(),
    stepId: text("step_id"),
    attemptId: text("attempt_id"),
    data: text("data"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("events_run_idx").on(t.runId, t.id)],
);

/** Resume tokens minted for waits: one per wait and recipient; used up exactly once. */
export const resumeTokens = sqliteTable(
  "resume_tokens",
  {
    jti: text("jti").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id),
    stepId: text("step_id").notNull(),
    waitId: text("wait_id").notNull(),
    recipient: text("recipient"),
    kid: text("kid").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    /** Set when the wait ended another way (cancel, another recipient acted, timeout). */
    revokedAt: integer("revoked_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("resume_tokens_run_wait_idx").on(t.runId, t.waitId)],
);

/** Emails to send, written in the same batch as the wait they announce. */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id),
    stepId: text("step_id").notNull(),
    waitId: text("wait_id").notNull(),
    tokenJti: text("token_jti").references(() => resumeTokens.jti),
    kind: text("kind", { enum: ["request", "reminder"] })
      .notNull()
      .default("request"),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    /** `dropped`: its wait was answered or its run ended before it went out, so it was never sent. */
    status: text("status", { enum: ["pending", "sent", "failed", "dropped"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    providerMessageId: text("provider_message_id"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [
    index("mail_outbox_status_created_idx").on(t.status, t.createdAt),
    index("mail_outbox_run_idx").on(t.runId, t.createdAt),
    index("mail_outbox_created_idx").on(t.createdAt),
  ],
);

/** What the development mailbox lists (DEV_MODE only): a copy of each email the outbox holds. */
export const devMail = sqliteTable(
  "dev_mail",
  {
    id: text("id").primaryKey(),
    runId: text("run_id").notNull(),
    stepId: text("step_id").notNull(),
    kind: text("kind").notNull(),
    toAddress: text("to_address").notNull(),
    subject: text("subject").notNull(),
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body").notNull(),
    status: text("status").notNull(),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("dev_mail_created_idx").on(t.createdAt)],
);

export type WorkflowRow = typeof workflows.$inferSelect;
export type WorkflowVersionRow = typeof workflowVersions.$inferSelect;
export type RunRow = typeof runs.$inferSelect;
export type RunStepRow = typeof runSteps.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type ResumeTokenRow = typeof resumeTokens.$inferSelect;
export type MailOutboxRow = typeof mailOutbox.$inferSelect;
export type DevMailRow = typeof devMail.$inferSelect;
