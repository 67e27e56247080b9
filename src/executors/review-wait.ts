import { type ApprovalStep, DEFAULT_MAX_REVISIONS, type Definition } from "../definitions/types";
import type { StepOutcome } from "../engine/outcomes";
import type { ReviewShown, RunState } from "../engine/state";
import { contentHash } from "../lib/content-hash";

/** The reviewed step's output at this moment: what the reviewer is shown and what content_hash covers. */
export async function reviewShown(
  step: ApprovalStep & { review: string },
  def: Definition,
  run: RunState,
): Promise<ReviewShown | Extract<StepOutcome, { kind: "failed" }>> {
  const aiStep = def.steps.find((s) => s.id === step.review);
  const at = aiStep?.output;
  const runtime = run.context.runtime;
  if (!at || !Object.hasOwn(runtime, at)) {
    return {
      kind: "failed",
      error: {
        code: "review_missing",
        message: `Step '${step.id}' reviews '${step.review}', but runtime.${at ?? "?"} holds no output of it yet`,
      },
    };
  }
  const output = runtime[at];
  const used = run.reviews?.revisions[step.id] ?? 0;
  return {
    aiStep: step.review,
    output,
    contentHash: await contentHash(output),
    revision: used + 1,
    changesLeft: step.allow_changes ? Math.max(0, (step.max_revisions ?? DEFAULT_MAX_REVISIONS) - used) : 0,
  };
}
