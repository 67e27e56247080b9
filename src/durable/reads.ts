import { acceptsAiResult } from "../engine/ai-result";
import { focusWait, openHumanWaits } from "../engine/lanes";
import { TERMINAL } from "../engine/state";
import type { LinkFacts } from "../links/link-facts";
import type { RunDb } from "../run-db/client";
import { runEvents, runHistory } from "../run-db/history";
import { getOutboxRow, type MailOutboxRow } from "../run-db/mail";
import type { RunRecord } from "../run-db/run-model";
import { getTokenState, readRecorded } from "../run-db/tokens";

// What the run's object answers about its run without changing it (no entry waits for these).

/** A run's events page (see src/run-db/history.ts). */
export const eventsPage = (db: RunDb, runId: string, limit: number, afterId: number) =>
  runEvents(db, runId, limit, afterId);

/** A run's step history. */
export const historyOf = (db: RunDb, runId: string) => runHistory(db, runId);

/** Where a link's token and its wait stand (link pages decide what to show from it). */
export function linkFactsOf(db: RunDb, run: RunRecord, jti: string, waitId: string): LinkFacts {
  const token = getTokenState(db, jti);
  const recorded = token ? readRecorded(db, run.id, waitId) : undefined;
  // The run as the branch holding the wait sees it: the pages read its status and pending.
  return { run: focusWait(run, waitId) as RunRecord, token, ...(recorded ? { recorded } : {}) };
}

/** What the AI consumer needs of a job's run: its pinned workflow, while the run waits for that attempt. */
export function aiJobOf(
  run: RunRecord,
  attemptId: string,
): { workflowId: string; workflowVersion: number } | null {
  if (!acceptsAiResult(run, attemptId)) return null;
  return { workflowId: run.workflowId, workflowVersion: run.workflowVersion };
}

/** Why an email should no longer go out (its run ended or its wait was answered), or null when it should. */
export function whyNotWanted(run: RunRecord, row: MailOutboxRow): string | null {
  if (run.status === "cancelled") return "the run was cancelled";
  if (TERMINAL.has(run.status)) return "the run has ended";
  if (!openHumanWaits(run).some((w) => w.waitId === row.waitId)) return "the wait was already answered";
  return null;
}

/** A pending email of the run, or null (unknown or already handled: a duplicate delivery). */
export function pendingMailOf(db: RunDb, outboxId: string): MailOutboxRow | null {
  const row = getOutboxRow(db, outboxId);
  return row?.status === "pending" ? row : null;
}
