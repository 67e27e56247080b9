import { openHumanWaits } from "../engine/lanes";
import type { RunUsage } from "../engine/usage";
import { AppError } from "../lib/errors";
import type { RunDb } from "../run-db/client";
import { parentOf } from "../run-db/parent";
import type { RunRecord } from "../run-db/run-model";
import { loadRun } from "../run-db/runs";
import { type ApiToken, apiTokenFor } from "../run-db/tokens";
import { runUsage } from "../run-db/usage";

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

/** The run as it now stands in the object's storage, or null when it holds no such run. */
export function runSnapshot(db: RunDb, runId: string): RunSnapshot | null {
  const record = loadRun(db, runId);
  if (!record) return null;
  // The first open wait's (one of several while parallel branches wait; status-body.ts shows the same).
  const wait = openHumanWaits(record)[0];
  const apiToken = wait ? apiTokenFor(db, runId, wait.waitId) : null;
  const parentRunId = parentOf(db, runId)?.parentRunId ?? null;
  return { record, apiToken, parentRunId, usage: runUsage(db, runId) };
}

/** The run as it now stands; not_found when the object holds no such run. */
export function storedSnapshot(db: RunDb, runId: string): RunSnapshot {
  const snap = runSnapshot(db, runId);
  if (!snap) throw new AppError("not_found", `Run '${runId}' not found`);
  return snap;
}
