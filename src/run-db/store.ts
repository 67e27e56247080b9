import { and, eq, isNull, sql } from "drizzle-orm";
import type { RunSummaryRow } from "../db/run-index";
import type { RunRow } from "../db/schema";
import type { HumanWait, RunState, Transition } from "../engine/state";
import { NO_USAGE, type RunUsage } from "../engine/usage";
import { maskPii } from "../lib/pii";
import type { RunDb } from "./client";
import { type ParentLink, parentOf, writeParent } from "./parent";
import { REVIEWS_KEY } from "./run-model";
import { events, indexOutbox, mailOutbox, resumeTokens, runSteps, runs } from "./schema";
import { workingTokens } from "./tokens";
import { runUsage } from "./usage";
import { indexedWaits, openWaitsOf } from "./wait-index";

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
const keep = <C>(value: unknown, column: C) => (value === undefined ? column : json(value));

/**
 * The context column: the context, and beside it the run's review loops when it has any (a key the
 * run model takes out again, so it is never part of the context users read).
 */
const contextColumn = (run: RunState): string =>
  JSON.stringify(run.reviews ? { ...run.context, [REVIEWS_KEY]: run.reviews } : run.context);

function writeRun(db: RunDb, run: RunState, next: number, x: Extra): void {
  const finishedAt = isTerminal(run.status) ? x.now : null;
  const state = {
    status: run.status,
    currentStep: run.currentStep,
    context: contextColumn(run),
    error: json(run.error),
    pending: json(run.pending),
    stepsExecuted: run.stepsExecuted,
    version: next,
    updatedAt: x.now,
  };
  if (x.origin) {
    const { workflowId, workflowVersion, createdAt } = run;
    const { createdBy, idempotencyKey, requestHash } = x.origin;
    const ids = { id: run.id, workflowId, workflowVersion, createdAt };
    db.insert(runs)
      .values({ ...ids, ...state, createdBy, idempotencyKey, requestHash, finishedAt })
      .run();
    if (x.origin.parent) writeParent(db, run.id, x.origin.parent);
    return;
  }
  db.update(runs)
    .set({ ...state, finishedAt: sql`coalesce(${runs.finishedAt}, ${finishedAt})` })
    .where(eq(runs.id, run.id))
    .run();
}

function writeSteps(db: RunDb, t: Transition): void {
  for (const s of t.insertSteps) {
    const data = { input: json(s.input), output: json(s.output), error: json(s.error), meta: json(s.meta) };
    db.insert(runSteps)
      .values({ ...s, runId: t.run.id, finishedAt: s.finishedAt ?? null, ...data })
      .run();
  }
  for (const u of t.updateSteps) {
    db.update(runSteps)
      .set({
        status: u.status,
        input: keep(u.input, runSteps.input),
        output: keep(u.output, runSteps.output),
        error: keep(u.error, runSteps.error),
        meta: keep(u.meta, runSteps.meta),
        finishedAt: u.finishedAt,
      })
      .where(eq(runSteps.id, u.id))
      .run();
  }
}

function writeTokens(db: RunDb, t: Transition, x: Extra): void {
  const runId = t.run.id;
  // A resend or reassign revokes the old links before minting their successors.
  for (const r of t.revokeRecipients ?? []) {
    db.update(resumeTokens)
      .set({ revokedAt: x.now })
      .where(and(workingTokens(runId, r.waitId), eq(resumeTokens.recipient, r.recipient)))
      .run();
  }
  for (const m of t.mintTokens)
    db.insert(resumeTokens)
      .values({ ...m, runId, kid: x.kid, createdAt: x.now })
      .run();
  if (t.useToken) {
    db.update(resumeTokens)
      .set({ usedAt: x.now })
      .where(and(eq(resumeTokens.jti, t.useToken), isNull(resumeTokens.usedAt)))
      .run();
  }
  for (const waitId of t.revokeWaits) {
    db.update(resumeTokens).set({ revokedAt: x.now }).where(workingTokens(runId, waitId)).run();
  }
}

/** Event rows per INSERT: six bound values each, within the 100 a Durable Object SQL statement takes. */
const EVENTS_PER_INSERT = 16;

function writeMailAndEvents(db: RunDb, t: Transition, x: Extra): void {
  const runId = t.run.id;
  for (const m of x.outbox) {
    db.insert(mailOutbox)
      .values({
        ...{ id: m.id, runId, stepId: m.stepId, waitId: m.waitId, tokenJti: m.tokenJti, kind: m.kind },
        ...{ toAddress: m.to, subject: m.subject, textBody: m.text, htmlBody: m.html },
        ...{ status: "pending" as const, attempts: 0, createdAt: x.now },
      })
      .run();
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
    db.insert(events)
      .values(rows.slice(i, i + EVENTS_PER_INSERT))
      .run();
  }
}

/** The index row D1 keeps of a run, from the run's own row and what its AI steps used. */
export function summaryOf(
  row: RunRow,
  usage: RunUsage = NO_USAGE,
  parentRunId: string | null = null,
): RunSummaryRow {
  const human = openWaitsOf(row)[0] ?? null;
  return {
    ...{ id: row.id, workflowId: row.workflowId, workflowVersion: row.workflowVersion, status: row.status },
    ...{ currentStep: row.currentStep, error: row.error, version: row.version },
    ...{
      waitStepId: human?.stepId ?? null,
      waitType: human?.type ?? null,
      waitExpiresAt: human?.expiresAt ?? null,
    },
    ...{ createdBy: row.createdBy, idempotencyKey: row.idempotencyKey },
    ...{ createdAt: row.createdAt, updatedAt: row.updatedAt, finishedAt: row.finishedAt, parentRunId },
    ...{ tokensPrompt: usage.tokens_prompt, tokensOutput: usage.tokens_output, costUsd: usage.cost_usd },
    ...{ aiAttempts: usage.ai_attempts, reAsks: usage.re_asks, humanFixes: usage.human_fixes },
  };
}

/**
 * Puts the run's current summary in the index outbox (the newest replaces an older one not yet sent),
 * with its waits: the one it closed (`closed`), its open one, and those an unsent write carried.
 */
export function enqueueIndexWrite(db: RunDb, runId: string, closed: readonly HumanWait[] = []): void {
  const row = db.select().from(runs).where(eq(runs.id, runId)).get();
  if (!row) return;
  const values = {
    runId,
    version: row.version,
    summary: JSON.stringify({
      ...summaryOf(row, runUsage(db, runId), parentOf(db, runId)?.parentRunId ?? null),
      waits: indexedWaits(db, row, closed),
    }),
    failures: 0,
    retryAt: null,
  };
  db.insert(indexOutbox).values(values).onConflictDoUpdate({ target: indexOutbox.runId, set: values }).run();
}

/**
 * Writes one transition as ONE storage transaction: the run row, step rows, tokens, emails, events
 * and the index write it owes D1, all or nothing. The object is the run's only writer, so nothing can
 * have moved the run meanwhile. Throws (writing nothing) on a constraint violation.
 */
export function writeTransition(db: RunDb, t: Transition, extra: Extra): void {
  const next = t.run.version + 1;
  db.transaction(() => {
    writeRun(db, t.run, next, extra);
    writeSteps(db, t);
    writeTokens(db, t, extra);
    writeMailAndEvents(db, t, extra);
    enqueueIndexWrite(db, t.run.id, t.closedWaits);
  });
  t.run.version = next;
}
