import { latestLiveVersion } from "../db/workflow-store";
import { loadDefinition } from "../definitions/cache";
import { subWorkflowCycles } from "../definitions/sub-workflow-cycles";
import type { Definition } from "../definitions/types";
import { definitionInvalid } from "./definition-body";

/** Refuses (422, each at its step's path) a definition whose `workflow` steps lead back to it through saved workflows. */
export async function refuseSubWorkflowCycles(d1: D1Database, def: Definition): Promise<void> {
  if (!def.steps.some((s) => s.type === "workflow")) return;
  const issues = await subWorkflowCycles(def, async (id, version) => {
    const wanted = version ?? (await latestLiveVersion(d1, id));
    return wanted === null ? null : loadDefinition(d1, id, wanted);
  });
  if (issues.length > 0) throw definitionInvalid(issues);
}
