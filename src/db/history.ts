const parse = (s: string | null): unknown => (s === null ? undefined : JSON.parse(s));
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

interface StepRow {
  id: string;
  seq: number;
  attempt: number;
  step_id: string;
  type: string;
  status: string;
  input: string | null;
  output: string | null;
  error: string | null;
  meta: string | null;
  started_at: number;
  finished_at: number | null;
}

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

/** Every step execution of a run in order, each with its attempts. */
export async function runHistory(db: D1Database, runId: string) {
  const rows = await db
    .prepare("SELECT * FROM run_steps WHERE run_id = ? ORDER BY seq, attempt")
    .bind(runId)
    .all<StepRow>();
  const steps: Array<{
    seq: number;
    step_id: string;
    type: string;
    status: string;
    attempts: AttemptView[];
  }> = [];
  for (const r of rows.results) {
    let step = steps[steps.length - 1];
    if (!step || step.seq !== r.seq) {
      step = { seq: r.seq, step_id: r.step_id, type: r.type, status: r.status, attempts: [] };
      steps.push(step);
    }
    step.status = r.status;
    step.attempts.push({
      attempt_id: r.id,
      attempt: r.attempt,
      status: r.status,
      input: parse(r.input),
      output: parse(r.output),
      error: parse(r.error),
      meta: parse(r.meta),
      started_at: new Date(r.started_at).toISOString(),
      finished_at: iso(r.finished_at),
      duration_ms: r.finished_at === null ? null : r.finished_at - r.started_at,
    });
  }
  return { run_id: runId, steps };
}

interface EventRow {
  id: number;
  type: string;
  step_id: string | null;
  attempt_id: string | null;
  data: string | null;
  created_at: number;
}

/** A run's events in order, after event id `afterId`. */
export async function runEvents(db: D1Database, runId: string, limit: number, afterId: number) {
  const rows = await db
    .prepare("SELECT * FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?")
    .bind(runId, afterId, limit + 1)
    .all<EventRow>();
  const page = rows.results.slice(0, limit);
  return {
    items: page.map((e) => ({
      id: e.id,
      type: e.type,
      step_id: e.step_id,
      attempt_id: e.attempt_id,
      ...(e.data ? { data: JSON.parse(e.data) } : {}),
      created_at: new Date(e.created_at).toISOString(),
    })),
    hasMore: rows.results.length > limit,
    lastId: page[page.length - 1]?.id,
  };
}
