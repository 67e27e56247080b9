// The index write a transition owes D1 (the run's summary and its waits), put in the index outbox in the
// transition's own storage transaction (store.ts) and sent after the answer (src/durable/index-sync.ts).
import type { RunSummaryRow } from "../db/run-index";
import type { RunRow } from "../db/schema";
import type { HumanWait } from "../engine/state";
import { NO_USAGE, type RunUsage } from "../engine/usage";
import type { RunDb } from "./client";
import type { PendingIndexWrite } from "./index-outbox";
import { parentOf } from "./parent";
import { runRow } from "./runs";
import { indexOutbox } from "./schema";
import { insertRows } from "./sql";
import { runUsage } from "./usage";
import { indexedWaits, openWaitsOf } from "./wait-index";

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

/** What a run's summary is made of besides its row: what its AI steps used and the run that started it. */
export interface RunFacts {
  usage: RunUsage;
  parentRunId: string | null;
}

/** The run's facts as its storage now holds them (what the summary and the status body carry). */
export const storedFacts = (db: RunDb, runId: string): RunFacts => ({
  usage: runUsage(db, runId),
  parentRunId: parentOf(db, runId)?.parentRunId ?? null,
});

/** The newest summary replaces an older one not yet sent. */
const UPSERT_INDEX_OUTBOX = `ON CONFLICT (run_id) DO UPDATE SET version = excluded.version,
  summary = excluded.summary, failures = excluded.failures, retry_at = excluded.retry_at`;

/**
 * Puts the summary of `row` in the index outbox with its waits: the ones it closed (`closed`), its open
 * ones, and those an unsent write carried (`created`: the run was created by this transaction, so no
 * write of it can be waiting).
 */
export function putIndexWrite(
  db: RunDb,
  row: RunRow,
  facts: RunFacts,
  closed: readonly HumanWait[] = [],
  created = false,
): PendingIndexWrite {
  const summary = summaryOf(row, facts.usage, facts.parentRunId);
  const waits = indexedWaits(db, row, closed, created);
  const values = { runId: row.id, version: row.version, summary: JSON.stringify({ ...summary, waits }) };
  insertRows(db, indexOutbox, [{ ...values, failures: 0, retryAt: null }], UPSERT_INDEX_OUTBOX);
  return { version: row.version, summary, waits, failures: 0, retryAt: null };
}

/** Puts the run's summary, as its storage now holds it, in the index outbox (a run imported from D1). */
export function enqueueIndexWrite(
  db: RunDb,
  runId: string,
  closed: readonly HumanWait[] = [],
): PendingIndexWrite | null {
  const row = runRow(db, runId);
  return row ? putIndexWrite(db, row, storedFacts(db, runId), closed) : null;
}
