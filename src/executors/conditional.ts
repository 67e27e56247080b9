import type { ConditionalStep } from "../definitions/types";
import type { StepOutcome } from "../engine/outcomes";
import { compileExpression, evaluateCondition } from "../lib/cel";
import { isAppError } from "../lib/errors";
import type { ExecutorContext } from "./types";

/** Evaluates the branches' CEL conditions in order: the first true one wins, else `default`. */
export function executeConditional(step: ConditionalStep, ctx: ExecutorContext): StepOutcome {
  const vars = {
    static: ctx.run.context.static,
    profile: ctx.run.context.profile,
    runtime: ctx.run.context.runtime,
  };
  for (const [index, branch] of step.branches.entries()) {
    let matched: boolean;
    try {
      matched = evaluateCondition(compileExpression(branch.when), vars);
    } catch (e) {
      const message = isAppError(e) || e instanceof Error ? e.message : String(e);
      return {
        kind: "failed",
        error: {
          code: "expression_error",
          message,
          details: [{ path: `branches[${index}].when`, expression: branch.when }],
        },
      };
    }
    if (matched)
      return { kind: "completed", output: { branch: index, next: branch.next }, next: branch.next };
  }
  if (step.default)
    return { kind: "completed", output: { branch: "default", next: step.default }, next: step.default };
  return {
    kind: "failed",
    error: { code: "no_branch", message: `No branch of '${step.id}' matched and it has no default` },
  };
}
