import { loadRun, type TokenState } from "../db/run-store";
import { loadDefinition } from "../definitions/cache";
import type { Definition } from "../definitions/types";
import type { LinkToken } from "../engine/link-check";
import type { RunState } from "../engine/state";
import { AppError } from "../lib/errors";

// What an entry of the run's object reads before it asks the engine.

/** The run, or a 404. */
export async function mustLoadRun(db: D1Database, runId: string): Promise<RunState> {
  const state = await loadRun(db, runId);
  if (!state) throw new AppError("not_found", `Run '${runId}' not found`);
  return state;
}

/** The run's pinned definition, or a 404. */
export async function definitionOf(
  db: D1Database,
  run: Pick<RunState, "workflowId" | "workflowVersion">,
): Promise<Definition> {
  return mustLoadDefinition(db, run.workflowId, run.workflowVersion);
}

/** A workflow version's definition, or a 404. */
export async function mustLoadDefinition(
  db: D1Database,
  workflowId: string,
  version: number,
): Promise<Definition> {
  const def = await loadDefinition(db, workflowId, version);
  if (!def) throw new AppError("not_found", `Workflow '${workflowId}' version ${version} not found`);
  return def;
}

/**
 * A resume's token row as the link checks read it. The row read with the run has no wait_id; the
 * verified signature binds the jti to the claims' wait, so that one is used.
 */
export const linkTokenOf = (row: TokenState | null, waitId: string): LinkToken | null =>
  row && { runId: row.run_id, waitId, usedAt: row.used_at, revokedAt: row.revoked_at };
