import type { AiGenerateStep } from "../definitions/types";
import type { StepOutcome } from "../engine/outcomes";
import { renderText } from "../lib/render";
import { type ExecutorContext, viewOf } from "./types";

/** Renders the prompt and hands the step to the AI queue; the result comes back to the run later. */
export function executeAiGenerate(step: AiGenerateStep, ctx: ExecutorContext): StepOutcome {
  const template = step.prompt ?? (step.template ? ctx.definition.templates[step.template] : undefined) ?? "";
  const prompt = renderText(template, viewOf(ctx.run));
  return {
    kind: "dispatched",
    prompt,
    input: { prompt, template_id: step.template ?? null, model: step.model ?? null },
  };
}
