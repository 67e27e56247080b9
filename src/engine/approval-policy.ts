// The rules of an approval's policy that more than one transition asks: who may decide, how many
// approvals are in, and what a wait records when it starts (docs/approvals.md).
import { AppError } from "../lib/errors";
import type { WaitPolicy, WaitResolution } from "./outcomes";
import type { Decision, HumanWait, Pending } from "./state";

/** The wait fields a policy sets when the wait starts (nothing for a plain one-approver wait). */
export function policyFields(policy: WaitPolicy | undefined): Partial<HumanWait> {
  if (!policy) return {};
  return {
    required: policy.required,
    decisions: [],
    ...(policy.forbidden.length > 0 ? { forbidden: policy.forbidden } : {}),
    ...(policy.escalateAt !== undefined ? { escalations: 0, escalateAt: policy.escalateAt } : {}),
  };
}

/** True when `who` (an address or `api:<principal>`) may never decide the wait. */
export const isForbidden = (wait: HumanWait, who: string): boolean =>
  (wait.forbidden ?? []).includes(who.toLowerCase());

/**
 * Refuses (403) a decision on the run's open wait `waitId` by someone its `forbid` names, before the
 * link itself is looked at: a forbidden address is refused whatever token it brings.
 */
export function refuseForbidden(pending: Pending | null, waitId: string, who: string): void {
  if (pending?.kind !== "human" || pending.waitId !== waitId) return;
  if (isForbidden(pending, who)) {
    throw new AppError("forbidden", `${who} may not decide this step (the step forbids it)`);
  }
}

/** Approvals a wait has received and needs. */
export function approvalCount(wait: HumanWait): { required: number; received: number } {
  const received = (wait.decisions ?? []).filter((d) => d.decision === "approved").length;
  return { required: wait.required ?? 1, received };
}

/** The decision `who` already recorded on the wait, if any. */
export const decisionOf = (wait: HumanWait, who: string): Decision | undefined =>
  (wait.decisions ?? []).find((d) => d.approver === who.toLowerCase() || d.approver === who);

/** An approval's timeout result, with the decisions recorded before it (a quorum short of approvals). */
export function withDecisions(resolution: WaitResolution, wait: HumanWait): WaitResolution {
  if (resolution.kind !== "timed_out_output" || wait.type !== "approval") return resolution;
  const output = { ...(resolution.output as Record<string, unknown>), approvals: wait.decisions ?? [] };
  return { ...resolution, output };
}
