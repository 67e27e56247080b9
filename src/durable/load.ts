import { loadDefinition } from "../definitions/cache";
import type { Definition } from "../definitions/types";
import type { RunState } from "../engine/state";
import { AppError } from "../lib/errors";

// What an entry of the run's object reads before it asks the engine.

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
