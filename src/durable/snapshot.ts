import type { RunRow } from "../db/schema";
import { openHumanWaits } from "../engine/lanes";
import type { RunUsage } from "../engine/usage";
import { AppError } from "../lib/errors";
import type { RunDb } from "../run-db/client";
import { type RunFacts, storedFacts } from "../run-db/index-entry";
import { type RunRecord, toRunRecord } from "../run-db/run-model";
import { runRow } from "../run-db/runs";
import type { Committed } from "../run-db/store";
import { type ApiToken, apiTokenFor } from "../run-db/tokens";

/**
 * What RPC callers learn: the run as the object stores it, and the API token of its open wait (null
 * when it has none), so the caller answers without reading anything else.
 */
export interface RunSnapshot {
  record: RunRecord;
  apiToken: ApiToken | null;
  /** What the run's AI steps used so far. */
  usage: RunUsage;
  /** The run whose `workflow` step started this one, or null. */
  parentRunId: string | null;
}

/** The snapshot of a stored run row with its facts (reading only the API token of its open wait). */
function snapshotOf(db: RunDb, row: RunRow, facts: RunFacts): RunSnapshot {
  const record = toRunRecord(row);
  // The first open wait's (one of several while parallel branches wait; status-body.ts shows the same).
  const wait = openHumanWaits(record)[0];
  const apiToken = wait ? apiTokenFor(db, row.id, wait.waitId) : null;
  return { record, apiToken, parentRunId: facts.parentRunId, usage: facts.usage };
}

/** The run as it now stands in the object's storage, or null when it holds no such run. */
export function runSnapshot(db: RunDb, runId: string): RunSnapshot | null {
  const row = runRow(db, runId);
  return row ? snapshotOf(db, row, storedFacts(db, runId)) : null;
}

/**
 * The run as the entry's last transition left it (`committed`, what a read would find: the object is
 * its only writer), else as stored; not_found when the object holds no such run.
 */
export function answerSnapshot(db: RunDb, runId: string, committed: Committed | null): RunSnapshot {
  if (committed?.row.id === runId) return snapshotOf(db, committed.row, committed);
  return storedSnapshot(db, runId);
}

/** The run as it now stands; not_found when the object holds no such run. */
export function storedSnapshot(db: RunDb, runId: string): RunSnapshot {
  const snap = runSnapshot(db, runId);
  if (!snap) throw new AppError("not_found", `Run '${runId}' not found`);
  return snap;
}
