import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { RunState, Transition } from "../engine/state";
import { type Db, getDb } from "./client";
import { insertWhere, runAtVersion } from "./guarded";
import { events, mailOutbox, resumeTokens, runSteps, runs } from "./schema";
import { workingTokens } from "./token-filters";

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

interface Extra {
  now: number;
  kid: string;
  outbox: OutboxInsert[];
  origin?: RunOrigin;
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const isTerminal = (s: RunState["status"]) => s !== "running" && s !== "waiting";

/** The run row's state columns as the transition leaves them, at version `next`. */
function runColumns(run: RunState, next: number) {
  return {
    status: run.status,
    currentStep: run.currentStep,
    context: JSON.stringify(run.context),
    error: json(run.error),
    pending: json(run.pending),
    stepsExecuted: run.stepsExecuted,
    version: next,
  };
}

/** Creates the run row (a start) or moves it on compare-and-set of its version. */
function runStatement(db: Db, run: RunState, next: number, x: Extra) {
  const finishedAt = isTerminal(run.status) ? x.now : null;
  if (x.origin) {
    return db.insert(runs).values({
      id: run.id,
      workflowId: run.workflowId,
      workflowVersion: run.workflowVersion,
      ...runColumns(run, next),
      idempotencyKey: x.origin.idempotencyKey,
      requestHash: x.origin.requestHash,
      createdBy: x.origin.createdBy,
      createdAt: run.createdAt,
      updatedAt: x.now,
      finishedAt,
    });
  }
  return db
    .update(runs)
    .set({
      ...runColumns(run, next),
      updatedAt: x.now,
      finishedAt: sql`coalesce(${runs.finishedAt}, ${finishedAt})`,
    })
    .where(and(eq(runs.id, run.id), eq(runs.version, next - 1)));
}

/** What each guarded statement builder gets: the client, the transition, its guard and its extras. */
interface Part {
  db: Db;
  t: Transition;
  guard: SQL;
  x: Extra;
}

const keep = <C>(value: unknown, column: C) => (value === undefined ? column : json(value));

function stepStatements({ db, t, guard }: Part) {
  const runId = t.run.id;
  return [
    ...t.insertSteps.map((s) => {
      const row = { ...s, runId, finishedAt: s.finishedAt ?? null };
      const data = { input: json(s.input), output: json(s.output), error: json(s.error), meta: json(s.meta) };
      return insertWhere(db, runSteps, { ...row, ...data }, guard);
    }),
    ...t.updateSteps.map((u) =>
      db
        .update(runSteps)
        .set({
          status: u.status,
          input: keep(u.input, runSteps.input),
          output: keep(u.output, runSteps.output),
          error: keep(u.error, runSteps.error),
          meta: keep(u.meta, runSteps.meta),
          finishedAt: u.finishedAt,
        })
        .where(and(eq(runSteps.id, u.id), eq(runSteps.runId, runId), guard)),
    ),
  ];
}

function tokenStatements({ db, t, guard, x }: Part) {
  const runId = t.run.id;
  return [
    ...t.mintTokens.map((m) =>
      insertWhere(db, resumeTokens, { ...m, runId, kid: x.kid, createdAt: x.now }, guard),
    ),
    ...(t.useToken
      ? [
          db
            .update(resumeTokens)
            .set({ usedAt: x.now })
            .where(and(eq(resumeTokens.jti, t.useToken), isNull(resumeTokens.usedAt), guard)),
        ]
      : []),
    ...t.revokeWaits.map((waitId) =>
      db
        .update(resumeTokens)
        .set({ revokedAt: x.now })
        .where(and(workingTokens(runId, waitId), guard)),
    ),
  ];
}

function mailAndEventStatements({ db, t, guard, x }: Part) {
  const runId = t.run.id;
  const event = (e: { type: string; stepId?: string; attemptId?: string; data?: unknown }) =>
    insertWhere(db, events, { ...e, runId, data: json(e.data), createdAt: x.now }, guard);
  return [
    ...x.outbox.map((m) =>
      insertWhere(
        db,
        mailOutbox,
        {
          ...{ id: m.id, runId, stepId: m.stepId, waitId: m.waitId, tokenJti: m.tokenJti, kind: m.kind },
          ...{ toAddress: m.to, subject: m.subject, textBody: m.text, htmlBody: m.html },
          ...{ status: "pending" as const, attempts: 0, createdAt: x.now },
        },
        guard,
      ),
    ),
    ...t.events.map((e) => event({ type: e.type, stepId: e.stepId, attemptId: e.attemptId, data: e.data })),
    ...x.outbox.map((m) =>
      event({ type: "mail.queued", stepId: m.stepId, data: { outbox_id: m.id, to: m.to, kind: m.kind } }),
    ),
  ];
}

/** Step rows, tokens, emails and events of the transition, each guarded by the run's new version. */
const guardedStatements = (p: Part) => [
  ...stepStatements(p),
  ...tokenStatements(p),
  ...mailAndEventStatements(p),
];

/**
 * Writes one transition as ONE atomic batch. The run row is compare-and-set on its version and every
 * other statement only takes effect at the new version, so a lost race writes nothing.
 * Returns false when the run had moved on (the caller reloads); throws on a constraint violation.
 */
export async function writeTransition(d1: D1Database, t: Transition, extra: Extra): Promise<boolean> {
  const db = getDb(d1);
  const next = t.run.version + 1;
  const [first] = await db.batch([
    runStatement(db, t.run, next, extra),
    ...guardedStatements({ db, t, guard: runAtVersion(db, t.run.id, next), x: extra }),
  ]);
  if ((first.meta.changes ?? 0) === 0) return false;
  t.run.version = next;
  return true;
}
