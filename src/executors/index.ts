import type { Step } from "../definitions/types";
import type { StepOutcome } from "../engine/outcomes";
import { executeAiGenerate } from "./ai-generate";
import { executeApiCallStep } from "./api-call-step";
import { executeConditional } from "./conditional";
import { executeHumanWait } from "./human-wait";
import { executeSubWorkflow } from "./sub-workflow";
import type { ExecutorContext } from "./types";

/** Runs one step with the executor of its type; executors report, they never persist. */
export async function executeStep(step: Step, ctx: ExecutorContext): Promise<StepOutcome> {
  switch (step.type) {
    case "form":
    case "approval":
      return executeHumanWait(step, ctx);
    case "conditional":
      return executeConditional(step, ctx);
    case "ai_generate":
      return executeAiGenerate(step, ctx);
    case "api_call":
      return executeApiCallStep(step, ctx);
    case "workflow":
      return executeSubWorkflow(step, ctx);
    case "parallel":
      // Nothing to do outside the run: the engine starts the branches.
      return { kind: "parallel", input: { join: step.join, branches: step.branches.map((b) => b.start) } };
  }
}
