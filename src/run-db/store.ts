import type { RunRow } from "../db/schema";
import type { RunState, Transition } from "../engine/state";
import { NO_USAGE } from "../engine/usage";
import { maskPii } from "../lib/pii";
import type { RunDb } from "./client";
import { putIndexWrite, type RunFacts, storedFacts } from "./index-entry";
import type { PendingIndexWrite } from "./index-outbox";
import { type ParentLink, writeParent } from "./parent";
import { REVIEWS_KEY } from "./run-model";
import { events, mailOutbox, resumeTokens, runSteps, runs } from "./schema";
import { all, insertReturning, insertRows, selectList, updateRows } from "./sql";
import { WORKING_TOKENS } from "./tokens";
import { USAGE_EVENT_TYPES } from "./usage";

/** A mail outbox row prepared before the transaction (the email carries a freshly signed link). */
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

/** Who created a run and with which Idempotency-Key (written once, with the run). */
export interface RunOrigin {
  createdBy: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  /** The run whose `workflow` step started this one. */
  parent?: ParentLink;
}

interface Extra {
  now: number;
  kid: string;
  outbox: OutboxInsert[];
  origin?: RunOrigin;
  /** Answers to sensitive form fields: redacted from the events (with every email address masked). */
  sensitive?: readonly string[];
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const isTerminal = (s: RunState["status"]) => s !== "running" && s !== "waiting";

/**
 * The context column: the context, and beside it the run's review loops when it has any (a key the
 * run model takes out again, so it is never part of the context users read).
 */
const contextColumn = (run: RunState): string =>
  JSON.stringify(run.reviews ? { ...run.context, [REVIEWS_KEY]: run.reviews } : run.context);

/** The run row as the statement that wrote it left it (one statement instead of a write and a read). */
const RETURNING_RUN = `RETURNING ${selectList(runs)}`;

/** The run row's update (finished_at is set once, by the transition that ends the run). */
const UPDATE_RUN = `UPDATE runs SET status = ?, current_step = ?, context = ?, error = ?, pending = ?,
  steps_executed = ?, version = ?, updated_at = ?, finished_at = coalesce(finished_at, ?) WHERE id = ?
  ${RETURNING_RUN}`;

/** Writes the run row; answers it as stored. */
function writeRun(db: RunDb, run: RunState, next: number, x: Extra): RunRow | null {
  const finishedAt = isTerminal(run.status) ? x.now : null;
  const context = contextColumn(run);
  const [error, pending] = [json(run.error), json(run.pending)];
  if (x.origin) {
    const { id, workflowId, workflowVersion, createdAt, status, currentStep, stepsExecuted } = run;
    const { createdBy, idempotencyKey, requestHash } = x.origin;
    const state = { status, currentStep, context, error, pending, stepsExecuted, version: next };
    const ids = { id, workflowId, workflowVersion, createdAt, createdBy, idempotencyKey, requestHash };
    const row = { ...ids, ...state, updatedAt: x.now, finishedAt };
    const stored = insertReturning<RunRow>(db, runs, row, RETURNING_RUN);
    if (x.origin.parent) writeParent(db, run.id, x.origin.parent);
    return stored;
  }
  const { status, currentStep, stepsExecuted } = run;
  return (
    all<RunRow>(
      db,
      UPDATE_RUN,
      status,
      currentStep,
      context,
      error,
      pending,
      stepsExecuted,
      next,
      x.now,
      finishedAt,
      run.id,
    )[0] ?? null
  );
}

function writeSteps(db: RunDb, t: Transition): void {
  for (const s of t.insertSteps) {
    const data = { input: json(s.input), output: json(s.output), error: json(s.error), meta: json(s.meta) };
    const { id, seq, attempt, stepId, type, status, startedAt } = s;
    const row = { id, runId: t.run.id, seq, attempt, stepId, type, status, startedAt };
    insertRows(db, runSteps, [{ ...row, finishedAt: s.finishedAt ?? null, ...data }]);
  }
  for (const u of t.updateSteps) {
    // An undefined value keeps its column as it is; null clears it.
    const [input, output, error, meta] = [u.input, u.output, u.error, u.meta].map((v) =>
      v === undefined ? undefined : json(v),
    );
    updateRows(
      db,
      runSteps,
      { status: u.status, input, output, error, meta, finishedAt: u.finishedAt },
      "id = ?",
      u.id,
    );
  }
}

function writeTokens(db: RunDb, t: Transition, x: Extra): void {
  const runId = t.run.id;
  const revoked = { revokedAt: x.now };
  // A resend or reassign revokes the old links before minting their successors.
  for (const r of t.revokeRecipients ?? []) {
    updateRows(
      db,
      resumeTokens,
      revoked,
      `${WORKING_TOKENS} AND recipient = ?`,
      runId,
      r.waitId,
      r.recipient,
    );
  }
  for (const m of t.mintTokens) {
    const { jti, stepId, waitId, expiresAt } = m;
    const row = { jti, runId, stepId, waitId, recipient: m.recipient ?? null, kid: x.kid, expiresAt };
    insertRows(db, resumeTokens, [{ ...row, createdAt: x.now }]);
  }
  if (t.useToken) updateRows(db, resumeTokens, { usedAt: x.now }, "jti = ? AND used_at IS NULL", t.useToken);
  for (const waitId of t.revokeWaits) updateRows(db, resumeTokens, revoked, WORKING_TOKENS, runId, waitId);
}

/** Event rows per INSERT: six bound values each, within the 100 a Durable Object SQL statement takes. */
const EVENTS_PER_INSERT = 16;

function writeMailAndEvents(db: RunDb, t: Transition, x: Extra): void {
  const runId = t.run.id;
  for (const m of x.outbox) {
    insertRows(db, mailOutbox, [
      {
        ...{ id: m.id, runId, stepId: m.stepId, waitId: m.waitId, tokenJti: m.tokenJti, kind: m.kind },
        ...{ toAddress: m.to, subject: m.subject, textBody: m.text, htmlBody: m.html },
        ...{ status: "pending" as const, attempts: 0, createdAt: x.now },
      },
    ]);
  }
  const rows = [
    ...t.events.map((e) => ({ type: e.type, stepId: e.stepId, attemptId: e.attemptId, data: e.data })),
    ...x.outbox.map((m) => ({
      type: "mail.queued",
      stepId: m.stepId,
      attemptId: undefined,
      data: { outbox_id: m.id, to: m.to, kind: m.kind } as unknown,
    })),
  ].map((e) => ({
    runId,
    type: e.type,
    stepId: e.stepId ?? null,
    attemptId: e.attemptId ?? null,
    data: json(maskPii(e.data, x.sensitive)),
    createdAt: x.now,
  }));
  // One statement per chunk, in the transition's order (ids follow it).
  for (let i = 0; i < rows.length; i += EVENTS_PER_INSERT) {
    insertRows(db, events, rows.slice(i, i + EVENTS_PER_INSERT));
  }
}

/**
 * The run's usage and parent as this transaction leaves them: a run it creates has no events but its own
 * (no AI usage unless they include some) and the parent its start names; otherwise they are read.
 */
function factsOf(db: RunDb, t: Transition, x: Extra): RunFacts {
  if (!x.origin || t.events.some((e) => USAGE_EVENT_TYPES.has(e.type))) return storedFacts(db, t.run.id);
  return { usage: NO_USAGE, parentRunId: x.origin.parent?.parentRunId ?? null };
}

/** What a committed transition leaves: the index write it owes, and the run as stored, with its facts. */
export interface Committed extends RunFacts {
  owed: PendingIndexWrite;
  row: RunRow;
}

/**
 * Writes one transition as ONE storage transaction: the run row, step rows, tokens, emails, events
 * and the index write it owes D1, all or nothing. The object is the run's only writer, so nothing can
 * have moved the run meanwhile. Throws (writing nothing) on a constraint violation.
 */
export function writeTransition(db: RunDb, t: Transition, extra: Extra): Committed | null {
  const next = t.run.version + 1;
  const committed = db.$client.transactionSync((): Committed | null => {
    const row = writeRun(db, t.run, next, extra);
    writeSteps(db, t);
    writeTokens(db, t, extra);
    writeMailAndEvents(db, t, extra);
    if (!row) return null;
    const facts = factsOf(db, t, extra);
    return { ...facts, row, owed: putIndexWrite(db, row, facts, t.closedWaits, Boolean(extra.origin)) };
  });
  t.run.version = next;
  return committed;
}
