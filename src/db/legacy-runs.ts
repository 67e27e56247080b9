// Runs created before a run's record moved into its Durable Object live in D1's runs, run_steps,
// events, resume_tokens and mail_outbox tables. Nothing writes them any more: the run's object reads
// its run from here once, on first touch, and keeps it in its own storage from then on.
import { asc, eq } from "drizzle-orm";
import { getDb } from "./client";
import {
  type EventRow,
  events,
  type MailOutboxRow,
  mailOutbox,
  type ResumeTokenRow,
  type RunRow,
  type RunStepRow,
  resumeTokens,
  runSteps,
  runs,
} from "./schema";

/** Everything D1 holds of one run created before the move. */
export interface LegacyRun {
  run: RunRow;
  steps: RunStepRow[];
  events: EventRow[];
  tokens: ResumeTokenRow[];
  outbox: MailOutboxRow[];
}

/** A run's rows as D1 holds them (one batch), or null when D1 never had it. */
export async function readLegacyRun(d1: D1Database, runId: string): Promise<LegacyRun | null> {
  const db = getDb(d1);
  const [run, steps, evs, tokens, outbox] = await db.batch([
    db.select().from(runs).where(eq(runs.id, runId)),
    db.select().from(runSteps).where(eq(runSteps.runId, runId)),
    db.select().from(events).where(eq(events.runId, runId)).orderBy(asc(events.id)),
    db.select().from(resumeTokens).where(eq(resumeTokens.runId, runId)),
    db.select().from(mailOutbox).where(eq(mailOutbox.runId, runId)),
  ]);
  const row = run[0];
  return row ? { run: row, steps, events: evs, tokens, outbox } : null;
}

/** The run of an email queued before the move (its message names only the outbox row). */
export async function legacyOutboxRunId(d1: D1Database, outboxId: string): Promise<string | null> {
  const row = await getDb(d1)
    .select({ runId: mailOutbox.runId })
    .from(mailOutbox)
    .where(eq(mailOutbox.id, outboxId))
    .get();
  return row?.runId ?? null;
}
