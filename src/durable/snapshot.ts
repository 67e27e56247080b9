import type { ApiToken, RunRecord } from "../db/run-queries";
import type { RunState } from "../engine/state";

/**
 * What RPC callers learn: the run exactly as this call wrote it, and the API token of its open wait when
 * this object minted it, so the caller answers without reading D1 again.
 */
export interface RunSnapshot {
  record: RunRecord;
  /** Absent when this object did not mint it (e.g. it restarted since): the caller looks it up. */
  apiToken?: ApiToken;
}

/**
 * The run as its last commit (at `committedAt`) wrote it. `requestHash` is only known to the start that
 * set it; `minted` is the last API token the object minted, returned only if it is the open wait's.
 */
export function runSnapshot(
  run: RunState,
  p: { committedAt: number; requestHash: string | null; minted: ApiToken | undefined },
): RunSnapshot {
  const wait = run.pending;
  const open = run.status === "waiting" && wait?.kind === "human";
  const token = open && p.minted?.waitId === wait.waitId ? p.minted : undefined;
  return {
    record: { ...run, requestHash: p.requestHash, updatedAt: p.committedAt },
    ...(token ? { apiToken: token } : {}),
  };
}
