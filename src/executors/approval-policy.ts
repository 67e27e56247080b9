import type { ApprovalStep } from "../definitions/types";
import type { StepOutcome, WaitPolicy } from "../engine/outcomes";
import { renderRecipients } from "./recipients";

/**
 * An approval's policy rendered for one run: `forbid` drops its addresses from the recipients, and a
 * quorum the remaining recipients cannot reach fails the step (`quorum_unreachable`).
 */
export function renderPolicy(
  step: ApprovalStep,
  recipients: string[],
  view: object,
  now: number,
): { recipients: string[]; policy: WaitPolicy } | { failed: Extract<StepOutcome, { kind: "failed" }> } {
  const forbidden = renderRecipients(step.forbid ?? [], view).valid;
  const kept = recipients.filter((r) => !forbidden.includes(r));
  const dropped = recipients.filter((r) => forbidden.includes(r));
  const required = step.quorum ?? 1;
  // A plain approval may wait for the API alone; one that names a quorum, or lost its approvers to
  // `forbid`, needs people who can reach it.
  if (kept.length < required && (step.quorum !== undefined || dropped.length > 0)) {
    const error = {
      code: "quorum_unreachable",
      message: `The step needs ${required} approval${required === 1 ? "" : "s"} but only ${kept.length} of its approvers may decide`,
    };
    return { failed: { kind: "failed", error, input: { recipients: kept, forbidden: dropped } } };
  }
  const first = step.escalate?.[0];
  const policy: WaitPolicy = {
    required,
    forbidden,
    dropped,
    ...(first ? { escalateAt: now + first.after_ms } : {}),
  };
  return { recipients: kept, policy };
}
