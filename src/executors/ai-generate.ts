import type { AiGenerateStep } from "../definitions/types";
import type { StepOutcome } from "../engine/outcomes";
import { MAX_PROMPT_BYTES, utf8Bytes } from "../lib/limits";
import { renderText } from "../lib/render";
import { revisionAsk } from "./revision-ask";
import { type ExecutorContext, viewOf } from "./types";

/** Renders the prompt and hands the step to the AI queue; the result comes back to the run later. */
export function executeAiGenerate(step: AiGenerateStep, ctx: ExecutorContext): StepOutcome {
  const template = step.prompt ?? (step.template ? ctx.definition.templates[step.template] : undefined) ?? "";
  const prompt = renderText(template, viewOf(ctx.run)) + revisionAsk(step, ctx);
  const about = { template_id: step.template ?? null, model: step.model ?? null };
  const bytes = utf8Bytes(prompt);
  if (bytes > MAX_PROMPT_BYTES) {
    // Refused before anything is queued: the job's message could never be sent. The prompt itself is
    // not stored either (it is what is too large).
    return {
      kind: "failed",
      error: {
        code: "prompt_too_large",
        message: `The rendered prompt is ${bytes} bytes; the limit is 100 KiB (${MAX_PROMPT_BYTES} bytes)`,
      },
      input: { ...about, prompt_bytes: bytes },
    };
  }
  return { kind: "dispatched", prompt, input: { prompt, ...about } };
}
