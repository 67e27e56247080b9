import { type ApprovalStep, DEFAULT_WAIT_TIMEOUT_MS, type FormStep } from "../definitions/types";
import type { StepOutcome } from "../engine/outcomes";
import type { ReviewShown } from "../engine/state";
import { MAX_RECIPIENTS } from "../lib/limits";
import { renderPolicy } from "./approval-policy";
import { renderRecipients } from "./recipients";
import { reviewShown } from "./review-wait";
import { type ExecutorContext, viewOf } from "./types";

/**
 * Form and approval steps: park the run on a wait; the engine mints the tokens and the mail. An
 * approval with `review` also fixes what the wait shows (the reviewed output and its hash).
 */
export async function executeHumanWait(
  step: FormStep | ApprovalStep,
  ctx: ExecutorContext,
): Promise<StepOutcome> {
  let review: ReviewShown | undefined;
  if (step.type === "approval" && step.review !== undefined) {
    const shown = await reviewShown({ ...step, review: step.review }, ctx.definition, ctx.run);
    if ("kind" in shown) return shown;
    review = shown;
  }
  const templates = step.type === "form" ? (step.assignee ? [step.assignee] : []) : step.approvers;
  const { valid, dropped } = renderRecipients(templates, viewOf(ctx.run));
  const invalid = dropped.length > 0 ? { invalid_recipients: dropped } : {};
  if (valid.length > MAX_RECIPIENTS) {
    return {
      kind: "failed",
      error: {
        code: "too_many_recipients",
        message: `The step addresses ${valid.length} people; the limit is ${MAX_RECIPIENTS} per step`,
      },
      input: { recipients: valid.slice(0, MAX_RECIPIENTS), recipient_count: valid.length, ...invalid },
    };
  }
  const rendered = step.type === "approval" ? renderPolicy(step, valid, viewOf(ctx.run), ctx.now) : null;
  if (rendered && "failed" in rendered) return rendered.failed;
  const recipients = rendered ? rendered.recipients : valid;
  const expiresAt = ctx.now + (step.timeout_ms ?? DEFAULT_WAIT_TIMEOUT_MS);
  const remindAt = step.remind_after_ms ? ctx.now + step.remind_after_ms : undefined;
  return {
    kind: "waiting",
    type: step.type,
    expiresAt,
    remindAt: remindAt !== undefined && remindAt < expiresAt ? remindAt : undefined,
    recipients,
    input: { recipients, ...invalid },
    ...(review ? { review } : {}),
    ...(rendered ? { policy: rendered.policy } : {}),
  };
}
