import type { RunState, Transition } from "../engine/state";

/** A mail outbox row prepared before the batch (the email carries a freshly signed link). */
export interface OutboxInsert {
  id: string;
  stepId: string;
  waitId: string;
  tokenJti: string | null;
  kind: "request" | "reminder";
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface RunOrigin {
  createdBy: string;
  idempotencyKey: string | null;
  requestHash: string | null;
}

interface RunDbRow {
  id: string;
  workflow_id: string;
  workflow_version: number;
  status: RunState["status"];
  current_step: string | null;
  context: string;
  error: string | null;
  pending: string | null;
  steps_executed: number;
  version: number;
  created_at: number;
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** A resume token's row: which run it belongs to and whether it still works. */
export interface TokenState {
  run_id: string;
  used_at: number | null;
  revoked_at: number | null;
}

const selectRun = (db: D1Database, runId: string) =>
  db.prepare("SELECT * FROM runs WHERE id = ?").bind(runId);

/** Reads a run's state from D1 (the system of record). */
export async function loadRun(db: D1Database, runId: string): Promise<RunState | null> {
  const row = await selectRun(db, runId).first<RunDbRow>();
  return row ? toState(row) : null;
}

/** Reads a run's state and one of its tokens in a single round trip (what a resume checks). */
export async function loadRunAndToken(
  db: D1Database,
  runId: string,
  jti: string,
): Promise<{ state: RunState | null; token: TokenState | null }> {
  const [runs, tokens] = await db.batch([
    selectRun(db, runId),
    db.prepare("SELECT run_id, used_at, revoked_at FROM resume_tokens WHERE jti = ?").bind(jti),
  ]);
  const row = (runs?.results[0] as RunDbRow | undefined) ?? null;
  return { state: row ? toState(row) : null, token: (tokens?.results[0] as TokenState | undefined) ?? null };
}

function toState(row: RunDbRow): RunState {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    status: row.status,
    currentStep: row.current_step,
    context: JSON.parse(row.context),
    pending: row.pending ? JSON.parse(row.pending) : null,
    stepsExecuted: row.steps_executed,
    error: row.error ? JSON.parse(row.error) : null,
    version: row.version,
    createdAt: row.created_at,
  };
}

const isTerminal = (s: RunState["status"]) => s !== "running" && s !== "waiting";

/**
 * Writes one transition as ONE atomic batch. The run row is compare-and-set on its version and every
 * other statement only takes effect at the new version, so a lost race writes nothing.
 * Returns false when the run had moved on (the caller reloads); throws on a constraint violation.
 */
export async function writeTransition(
  db: D1Database,
  t: Transition,
  extra: { now: number; kid: string; outbox: OutboxInsert[]; origin?: RunOrigin },
): Promise<boolean> {
  const run = t.run;
  const prev = run.version;
  const next = prev + 1;
  const { now } = extra;
  const finishedAt = isTerminal(run.status) ? now : null;
  const stmts: D1PreparedStatement[] = [];
  // The run's state columns, in the order both the INSERT and the UPDATE below list them.
  const state = [
    run.status,
    run.currentStep,
    JSON.stringify(run.context),
    json(run.error ?? undefined),
    json(run.pending ?? undefined),
    run.stepsExecuted,
    next,
  ];

  if (extra.origin) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO runs (id, workflow_id, workflow_version, status, current_step, context, error, pending,
             steps_executed, version, idempotency_key, request_hash, created_by, created_at, updated_at, finished_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .bind(
          run.id,
          run.workflowId,
          run.workflowVersion,
          ...state,
          extra.origin.idempotencyKey,
          extra.origin.requestHash,
          extra.origin.createdBy,
          run.createdAt,
          now,
          finishedAt,
        ),
    );
  } else {
    stmts.push(
      db
        .prepare(
          `UPDATE runs SET status = ?, current_step = ?, context = ?, error = ?, pending = ?, steps_executed = ?,
             version = ?, updated_at = ?, finished_at = COALESCE(finished_at, ?)
           WHERE id = ? AND version = ?`,
        )
        .bind(...state, now, finishedAt, run.id, prev),
    );
  }
  const guard = "EXISTS (SELECT 1 FROM runs WHERE id = ? AND version = ?)";
  const g = [run.id, next] as const;

  for (const s of t.insertSteps) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO run_steps (id, run_id, seq, attempt, step_id, type, status, input, output, error, meta, started_at, finished_at)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard}`,
        )
        .bind(
          s.id,
          run.id,
          s.seq,
          s.attempt,
          s.stepId,
          s.type,
          s.status,
          json(s.input),
          json(s.output),
          json(s.error),
          json(s.meta),
          s.startedAt,
          s.finishedAt ?? null,
          ...g,
        ),
    );
  }
  for (const u of t.updateSteps) {
    stmts.push(
      db
        .prepare(
          `UPDATE run_steps SET status = ?, input = COALESCE(?, input), output = COALESCE(?, output), error = COALESCE(?, error),
             meta = COALESCE(?, meta), finished_at = ? WHERE id = ? AND run_id = ? AND ${guard}`,
        )
        .bind(
          u.status,
          json(u.input),
          json(u.output),
          json(u.error),
          json(u.meta),
          u.finishedAt,
          u.id,
          run.id,
          ...g,
        ),
    );
  }
  for (const tok of t.mintTokens) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO resume_tokens (jti, run_id, step_id, wait_id, recipient, kid, expires_at, created_at)
           SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard}`,
        )
        .bind(tok.jti, run.id, tok.stepId, tok.waitId, tok.recipient, extra.kid, tok.expiresAt, now, ...g),
    );
  }
  if (t.useToken) {
    stmts.push(
      db
        .prepare(`UPDATE resume_tokens SET used_at = ? WHERE jti = ? AND used_at IS NULL AND ${guard}`)
        .bind(now, t.useToken, ...g),
    );
  }
  for (const waitId of t.revokeWaits) {
    stmts.push(
      db
        .prepare(
          `UPDATE resume_tokens SET revoked_at = ? WHERE run_id = ? AND wait_id = ? AND used_at IS NULL
             AND revoked_at IS NULL AND ${guard}`,
        )
        .bind(now, run.id, waitId, ...g),
    );
  }
  for (const m of extra.outbox) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO mail_outbox (id, run_id, step_id, wait_id, token_jti, kind, to_address, subject, text_body,
             html_body, status, attempts, created_at)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ? WHERE ${guard}`,
        )
        .bind(
          m.id,
          run.id,
          m.stepId,
          m.waitId,
          m.tokenJti,
          m.kind,
          m.to,
          m.subject,
          m.text,
          m.html,
          now,
          ...g,
        ),
    );
  }
  for (const e of t.events) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO events (run_id, type, step_id, attempt_id, data, created_at) SELECT ?, ?, ?, ?, ?, ? WHERE ${guard}`,
        )
        .bind(run.id, e.type, e.stepId ?? null, e.attemptId ?? null, json(e.data), now, ...g),
    );
  }
  for (const m of extra.outbox) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO events (run_id, type, step_id, data, created_at) SELECT ?, 'mail.queued', ?, ?, ? WHERE ${guard}`,
        )
        .bind(run.id, m.stepId, JSON.stringify({ outbox_id: m.id, to: m.to, kind: m.kind }), now, ...g),
    );
  }

  const results = await db.batch(stmts);
  const changed = results[0]?.meta.changes ?? 0;
  if (changed === 0) return false;
  run.version = next;
  return true;
}
