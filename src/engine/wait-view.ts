import type { HumanWait } from "./state";

/** Where a recipient of a wait stands. */
export type RecipientStatus = "pending" | "approved" | "rejected" | "submitted" | "reassigned" | "revoked";

/** A wait as the inbox lists it (GET /v1/waits), timestamps in ms. */
export interface WaitItem {
  runId: string;
  workflowId: string;
  stepId: string;
  type: HumanWait["type"];
  waitId: string;
  status: "open" | "closed";
  recipients: { email: string; status: RecipientStatus }[];
  createdAt: number;
  expiresAt: number;
  closedAt: number | null;
}

/**
 * The inbox view of a wait: each recipient with its decision, `pending` while it may still decide
 * (once the wait is closed an undecided link is `revoked`), `reassigned` when its link moved on.
 */
export function waitItem(
  run: { id: string; workflowId: string },
  wait: HumanWait,
  closedAt: number | null,
): WaitItem {
  const decided = new Map((wait.decisions ?? []).map((d) => [d.approver, d.decision] as const));
  const open = closedAt === null;
  const recipients: WaitItem["recipients"] = wait.recipients.map((email) => ({
    email,
    status: decided.get(email) ?? (open ? "pending" : "revoked"),
  }));
  for (const email of wait.reassigned ?? []) {
    if (!wait.recipients.includes(email)) recipients.push({ email, status: "reassigned" });
  }
  return {
    runId: run.id,
    workflowId: run.workflowId,
    stepId: wait.stepId,
    type: wait.type,
    waitId: wait.waitId,
    status: open ? "open" : "closed",
    recipients,
    createdAt: wait.startedAt,
    expiresAt: wait.expiresAt,
    closedAt,
  };
}
