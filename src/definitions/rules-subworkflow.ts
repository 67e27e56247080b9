/** `workflow` step rules: no workflow runs itself, inputs are templates that parse, no `timeout`. */
import type { IssueList } from "./issues";
import { asObject, own, ownString, rawSteps } from "./raw";
import { checkMustache } from "./rules-content";

/** Checks what the shape check cannot of each `workflow` step. */
export function checkSubWorkflows(raw: unknown, issues: IssueList): void {
  const self = ownString(asObject(raw), "id");
  for (const { index, step, type } of rawSteps(raw)) {
    if (type !== "workflow") continue;
    if (self !== undefined && ownString(step, "workflow") === self) {
      issues.add(
        ["steps", index, "workflow"],
        `workflow "${self}" cannot run itself as a sub-workflow: every run would start another (a cycle)`,
      );
    }
    if (own(step, "timeout") !== undefined) {
      issues.add(
        ["steps", index, "timeout"],
        "a workflow step waits as long as its child run; give the child's own steps timeouts instead",
      );
    }
    for (const [name, value] of Object.entries(asObject(own(step, "inputs")) ?? {})) {
      if (typeof value === "string") checkMustache(value, ["steps", index, "inputs", name], issues);
    }
  }
}
