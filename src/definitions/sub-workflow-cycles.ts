/**
 * The save-time rule a definition alone cannot decide: a `workflow` step whose target leads back, through
 * the saved workflows' own `workflow` steps, to the workflow being saved (a → b → a). Pure: the saved
 * definitions come from the `lookup` the caller gives.
 */
import type { Definition, DefinitionIssue } from "./types";

/** A saved definition: `version`, else the latest live one; null when there is none. */
export type DefinitionLookup = (workflowId: string, version?: number) => Promise<Definition | null>;

/** At most this many saved definitions are read for one save: a cycle longer than that stops at run time. */
const MAX_LOOKUPS = 50;

/** One issue per `workflow` step of `def` whose child would, directly or not, start `def` again. */
export async function subWorkflowCycles(
  def: Definition,
  lookup: DefinitionLookup,
): Promise<DefinitionIssue[]> {
  const issues: DefinitionIssue[] = [];
  const budget = { left: MAX_LOOKUPS };
  for (const [index, step] of def.steps.entries()) {
    // A step naming its own workflow is the static rule's (rules-subworkflow.ts).
    if (step.type !== "workflow" || step.workflow === def.id) continue;
    const path = await leadsBack(def.id, step.workflow, step.version, lookup, new Set(), budget);
    if (path) {
      issues.push({
        path: `steps[${index}].workflow`,
        message: `sub-workflows form a cycle: ${[def.id, ...path].join(" → ")}; every run would start another`,
      });
    }
  }
  return issues;
}

/** The chain of workflow ids from `id` back to `target`, or null when there is none (as far as the budget reaches). */
async function leadsBack(
  target: string,
  id: string,
  version: number | undefined,
  lookup: DefinitionLookup,
  seen: Set<string>,
  budget: { left: number },
): Promise<string[] | null> {
  // Back at the workflow being saved, unpinned: the child would run the version being saved now.
  if (id === target && version === undefined) return [id];
  const key = `${id}@${version ?? "latest"}`;
  if (seen.has(key) || budget.left <= 0) return null;
  seen.add(key);
  budget.left -= 1;
  const saved = await lookup(id, version);
  for (const step of saved?.steps ?? []) {
    if (step.type !== "workflow") continue;
    const rest = await leadsBack(target, step.workflow, step.version, lookup, seen, budget);
    if (rest) return [id, ...rest];
  }
  return null;
}
