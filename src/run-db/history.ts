import { and, asc, eq, gt } from "drizzle-orm";
import type { RunStepRow } from "../db/schema";
import type { RunDb } from "./client";
import { events, runSteps } from "./schema";

const parse = (s: string | null): unknown => (s === null ? undefined : JSON.parse(s));
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface AttemptView {
  attempt_id: string;
  attempt: number;
  status: string;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  meta?: unknown;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface StepView {
  seq: number;
  step_id: string;
  type: string;
  status: string;
  attempts: AttemptView[];
}

const attemptView = (r: RunStepRow): AttemptView => ({
  attempt_id: r.id,
  attempt: r.attempt,
  status: r.status,
  input: parse(r.input),
  output: parse(r.output),
  error: parse(r.error),
  meta: parse(r.meta),
  started_at: new Date(r.startedAt).toISOString(),
  finished_at: iso(r.finishedAt),
  duration_ms: r.finishedAt === null ? null : r.finishedAt - r.startedAt,
});

/** Every step execution of a run in order, each with its attempts. */
export function runHistory(db: RunDb, runId: string) {
  const rows = db
    .select()
    .from(runSteps)
    .where(eq(runSteps.runId, runId))
    .orderBy(asc(runSteps.seq), asc(runSteps.attempt))
    .all();
  const steps: StepView[] = [];
  for (const r of rows) {
    let step = steps[steps.length - 1];
    if (!step || step.seq !== r.seq) {
      step = { seq: r.seq, step_id: r.stepId, type: r.type, status: r.status, attempts: [] };
      steps.push(step);
    }
    step.status = r.status;
    step.attempts.push(attemptView(r));
  }
  return { run_id: runId, steps };
}

/** A run's events in order, after event id `afterId`. */
export function runEvents(db: RunDb, runId: string, limit: number, afterId: number) {
  const rows = db
    .select()
    .from(events)
    .where(and(eq(events.runId, runId), gt(events.id, afterId)))
    .orderBy(asc(events.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  return {
    items: page.map((e) => ({
      id: e.id,
      type: e.type,
      step_id: e.stepId,
      attempt_id: e.attemptId,
      ...(e.data ? { data: JSON.parse(e.data) } : {}),
      created_at: new Date(e.createdAt).toISOString(),
    })),
    hasMore: rows.length > limit,
    lastId: page[page.length - 1]?.id,
  };
}
