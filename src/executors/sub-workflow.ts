import type { WorkflowStep } from "../definitions/types";
import { childOutcome } from "../engine/child-run";
import type { StepOutcome } from "../engine/outcomes";
import { TERMINAL } from "../engine/state";
import { templateView } from "../engine/view";
import { isAppError } from "../lib/errors";
import { renderText } from "../lib/render";
import type { ExecutorContext } from "./types";

/** `{{runtime.items}}` alone: the value itself is passed (a number, a list, an object), not its text. */
const WHOLE_VALUE = /^\{\{\s*((?:static|profile|runtime)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*\}\}$/;

function valueAt(view: Record<string, unknown>, path: string): unknown {
  let at: unknown = view;
  for (const key of path.split(".")) {
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The child's inputs: each template rendered over the parent's context. */
function renderInputs(step: WorkflowStep, ctx: ExecutorContext): Record<string, unknown> {
  const view = templateView(ctx.run);
  const out: Array<[string, unknown]> = [];
  for (const [name, template] of Object.entries(step.inputs ?? {})) {
    const whole = WHOLE_VALUE.exec(template)?.[1];
    if (whole === undefined) {
      out.push([name, renderText(template, view)]);
      continue;
    }
    // A reference to nothing leaves the input out, so an optional input of the child stays optional.
    const value = valueAt(view, whole);
    if (value !== undefined && value !== null) out.push([name, value]);
  }
  // fromEntries defines own properties: no input name can reach a prototype.
  return Object.fromEntries(out);
}

/**
 * Starts the step's child run (the run's object does it, keyed by this step execution, so a repeat
 * reaches the same child) and reports: completed or failed when the child already ended, else waiting
 * for it. A child the platform refuses (unknown workflow, invalid inputs) fails the step.
 */
export async function executeSubWorkflow(step: WorkflowStep, ctx: ExecutorContext): Promise<StepOutcome> {
  const inputs = renderInputs(step, ctx);
  const input = { workflow: step.workflow, ...(step.version ? { version: step.version } : {}), inputs };
  if (!ctx.startChild) throw new Error("a workflow step ran without a way to start its child");
  try {
    const child = await ctx.startChild({
      workflowId: step.workflow,
      version: step.version,
      inputs,
      seq: ctx.run.stepsExecuted + 1,
    });
    const started = { ...input, child_run_id: child.runId };
    if (!TERMINAL.has(child.status)) return { kind: "child", childRunId: child.runId, input: started };
    return { ...childOutcome(child), input: started };
  } catch (e) {
    if (!isAppError(e)) throw e; // the object retries the step: the same execution, the same child
    return {
      kind: "failed",
      input,
      error: {
        code: "child_not_started",
        message: `The child run of workflow '${step.workflow}' could not start: ${e.message}`,
        details: e.details ?? [],
      },
    };
  }
}
