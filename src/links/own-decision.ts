import { approvalCount, decisionOf } from "../engine/approval-policy";
import type { RunRecord } from "../run-db/run-model";
import type { Recorded } from "../run-db/tokens";

/**
 * What a used approval link shows as its own answer: the recipient's entry in the result's
 * `approvals` once the wait ended, or, while a quorum still waits, the decision recorded on the wait.
 * Never another recipient's decision.
 */
export function ownApprovalOutput(
  run: RunRecord,
  waitId: string,
  recorded: Recorded | undefined,
  recipient: string | undefined,
): unknown {
  const output = recorded?.output as { approver?: unknown; approvals?: unknown } | undefined;
  if (output && recipient !== undefined && output.approver !== recipient && Array.isArray(output.approvals)) {
    return output.approvals.find((a: { approver?: unknown }) => a?.approver === recipient);
  }
  if (output) return output;
  const wait = run.pending;
  if (recipient === undefined || wait?.kind !== "human" || wait.waitId !== waitId) return undefined;
  return decisionOf(wait, recipient);
}

/** How many approvals the run's open wait has and needs, when it needs more than one. */
export function approvalsOfRun(run: RunRecord): { required: number; received: number } | undefined {
  const wait = run.pending;
  if (run.status !== "waiting" || wait?.kind !== "human" || wait.type !== "approval") return undefined;
  const count = approvalCount(wait);
  return count.required > 1 ? count : undefined;
}
