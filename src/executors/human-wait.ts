import { type ApprovalStep, DEFAULT_WAIT_TIMEOUT_MS, type FormStep } from "../definitions/types";
import type { StepOutcome } from "../engine/outcomes";
import { renderRecipients } from "./recipients";
import { type ExecutorContext, viewOf } from "./types";

/** Form and approval steps: park the run on a wait; the engine mints the tokens and the mail. */
export function executeHumanWait(step: FormStep | ApprovalStep, ctx: ExecutorContext): StepOutcome {
  const templates = step.type === "form" ? (step.assignee ? [step.assignee] : []) : step.approvers;
  const { valid, dropped } = renderRecipients(templates, viewOf(ctx.run));
  const expiresAt = ctx.now + (step.timeout_ms ?? DEFAULT_WAIT_TIMEOUT_MS);
  const remindAt = step.remind_after_ms ? ctx.now + step.remind_after_ms : undefined;
  return {
    kind: "waiting",
    type: step.type,
    expiresAt,
    remindAt: remindAt !== undefined && remindAt < expiresAt ? remindAt : undefined,
    recipients: valid,
    input: { recipients: valid, ...(dropped.length > 0 ? { invalid_recipients: dropped } : {}) },
  };
}
