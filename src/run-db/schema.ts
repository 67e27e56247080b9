import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// The run's own SQLite (its Durable Object's storage) holds the run's record in the same tables, with
// the same columns, as D1 did before it became the index: src/db/schema.ts defines them once, and
// these statements create them here (without the foreign keys to workflows, which live in D1).
export { events, mailOutbox, resumeTokens, runSteps, runs } from "../db/schema";

/**
 * The index write a transition owes D1 (the run summary at `version`), written in the transition's own
 * storage transaction and deleted once D1 has it: one row, the newest summary wins.
 */
export const indexOutbox = sqliteTable("index_outbox", {
  runId: text("run_id").primaryKey(),
  version: integer("version").notNull(),
  /** The summary row as JSON (src/db/run-index.ts: RunSummaryRow). */
  summary: text("summary").notNull(),
  /** Failed D1 writes so far, and when the alarm tries again. */
  failures: integer("failures").notNull().default(0),
  retryAt: integer("retry_at"),
});

/**
 * Creates the tables once per object; idempotent, run at construction before any entry. Rows written
 * are billed, so: events take plain rowids (AUTOINCREMENT writes sqlite_sequence on every insert; events
 * are never deleted, so ids still only grow and the events cursor holds), and the tables keyed by text
 * that are only ever read by key or in an explicit order are WITHOUT ROWID (no second row for the
 * primary key: one row written per insert, not two). Each table and index is a b-tree every new object
 * (every start) creates, so a run's few tokens have no index by wait: reading them all is cheaper than
 * keeping one (tokens and emails keep their rowid: their insertion order is the order they were made).
 * Objects created before keep their tables as they were made; the columns are the same.
 */
export const RUN_DB_DDL = `
CREATE TABLE IF NOT EXISTS runs (
  id text PRIMARY KEY NOT NULL, workflow_id text NOT NULL, workflow_version integer NOT NULL,
  status text NOT NULL, current_step text, context text NOT NULL, error text, pending text,
  steps_executed integer DEFAULT 0 NOT NULL, version integer DEFAULT 0 NOT NULL,
  idempotency_key text, request_hash text, created_by text NOT NULL, created_at integer NOT NULL,
  updated_at integer NOT NULL, finished_at integer
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_steps (
  id text PRIMARY KEY NOT NULL, run_id text NOT NULL, seq integer NOT NULL,
  attempt integer DEFAULT 1 NOT NULL, step_id text NOT NULL, type text NOT NULL, status text NOT NULL,
  input text, output text, error text, meta text, started_at integer NOT NULL, finished_at integer
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS run_steps_run_seq_attempt_idx ON run_steps (run_id, seq, attempt);
CREATE TABLE IF NOT EXISTS events (
  id integer PRIMARY KEY NOT NULL, run_id text NOT NULL, type text NOT NULL,
  step_id text, attempt_id text, data text, created_at integer NOT NULL
);
CREATE TABLE IF NOT EXISTS resume_tokens (
  jti text PRIMARY KEY NOT NULL, run_id text NOT NULL, step_id text NOT NULL, wait_id text NOT NULL,
  recipient text, kid text NOT NULL, expires_at integer NOT NULL, used_at integer, revoked_at integer,
  created_at integer NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_outbox (
  id text PRIMARY KEY NOT NULL, run_id text NOT NULL, step_id text NOT NULL, wait_id text NOT NULL,
  token_jti text, kind text DEFAULT 'request' NOT NULL, to_address text NOT NULL,
  subject text NOT NULL, text_body text NOT NULL, html_body text NOT NULL, status text NOT NULL,
  attempts integer DEFAULT 0 NOT NULL, last_error text, provider_message_id text,
  created_at integer NOT NULL, sent_at integer
);
CREATE TABLE IF NOT EXISTS index_outbox (
  run_id text PRIMARY KEY NOT NULL, version integer NOT NULL, summary text NOT NULL,
  failures integer DEFAULT 0 NOT NULL, retry_at integer
) WITHOUT ROWID;
`;
