import type { RunDb } from "../run-db/client";
import { parentOf } from "../run-db/parent";
import type { RunRecord } from "../run-db/run-model";
import { loadRun } from "../run-db/runs";
import { type ApiToken, apiTokenFor } from "../run-db/tokens";

/**
 * What RPC callers learn: the run as the object stores it, and the API token of its open wait (null
 * when it has none), so the caller answers without reading anything else.
 */
export interface RunSnapshot {
  record: RunRecord;
  apiToken: ApiToken | null;
  /** The run whose `workflow` step started this one, or null. */
  parentRunId: string | null;
}

/** The run as it now stands in the object's storage, or null when it holds no such run. */
export function runSnapshot(db: RunDb, runId: string): RunSnapshot | null {
  const record = loadRun(db, runId);
  if (!record) return null;
  const wait = record.pending;
  const open = record.status === "waiting" && wait?.kind === "human";
  const parentRunId = parentOf(db, runId)?.parentRunId ?? null;
  return { record, apiToken: open ? apiTokenFor(db, runId, wait.waitId) : null, parentRunId };
}
