import type { Definition } from "../definitions/types";
import { AppError } from "../lib/errors";
import { approvalCount, decisionOf, refuseForbidden } from "./approval-policy";
import { blank, type EngineDeps } from "./engine";
import { type LinkTarget, type LinkToken, tokenMatches } from "./link-check";
import type { WaitResolution } from "./outcomes";
import { resolveWait } from "./resolve-wait";
import { type ResumeTarget, resumeTarget } from "./resume-target";
import type { Decision, HumanWait, RunState, Transition } from "./state";

/** The link a decision came through: its token id, and its recipient (none: the API's token). */
export interface DecidingLink {
  jti: string;
  recipient?: string | null;
}

/**
 * The wait and step a decision by `approver` answers (see resumeTarget), refusing first (403) an
 * address the open wait forbids, whatever token it brings: a forged or stale one included.
 */
export function decisionTarget(
  loaded: { run: RunState; def: Definition } | null,
  token: LinkToken | null,
  target: LinkTarget,
  approver: string,
): ResumeTarget {
  refuseForbidden(loaded?.run.pending ?? null, target.waitId, approver);
  if (loaded && token && replacedLink(loaded.run, token, target)) {
    throw new AppError("gone", "This link was replaced by a newer one (resent or reassigned)");
  }
  return resumeTarget(loaded, token, target);
}

/** True for a link revoked while its wait is still open: a resend or reassign replaced it. */
export function replacedLink(run: RunState, token: LinkToken, target: LinkTarget): boolean {
  const wait = run.pending;
  return (
    tokenMatches(token, target) &&
    token.usedAt === null &&
    token.revokedAt !== null &&
    run.status === "waiting" &&
    wait?.kind === "human" &&
    wait.waitId === target.waitId
  );
}

interface ApprovalOutput {
  decision: "approved" | "rejected";
  approver: string;
  comment: string | null;
  decided_at: string;
}

/**
 * Applies one person's valid answer to the run's wait. A form, a rejection, or the approval that
 * reaches the quorum ends the wait (the result lists every decision); an approval short of it is
 * recorded and the run keeps waiting. Each person decides once (409 on a second decision); a
 * recipient's link is used up by its decision, the API's link stays for the other principals.
 */
export function decideWait(
  def: Definition,
  state: RunState,
  resolution: WaitResolution,
  link: DecidingLink,
  deps: EngineDeps,
): Transition {
  const run = structuredClone(state);
  const wait = run.pending;
  if (wait?.kind !== "human") throw new Error(`run ${state.id} is not waiting`);
  if (wait.type === "form" || (resolution.kind !== "approved" && resolution.kind !== "rejected")) {
    if (link.recipient) record(wait, decisionFor(link.recipient, "submitted", deps.now));
    return resolveWait(def, run, resolution, deps, link.jti);
  }
  const output = resolution.output as ApprovalOutput;
  if (decisionOf(wait, output.approver)) {
    throw new AppError("conflict", `${output.approver} has already decided this step`);
  }
  const decision: Decision = {
    approver: output.approver,
    decision: output.decision,
    comment: output.comment,
    decided_at: output.decided_at,
  };
  record(wait, decision);
  const { required, received } = approvalCount(wait);
  const ids = { stepId: wait.stepId, attemptId: wait.attemptId };
  const decided = {
    ...ids,
    type: "approval.decided",
    data: { approver: decision.approver, decision: decision.decision, received, required },
  };
  if (decision.decision === "rejected" || received >= required) {
    const final = { ...resolution, output: { ...output, approvals: wait.decisions ?? [] } };
    const t = resolveWait(def, run, final, deps, link.jti);
    t.events.unshift(decided);
    return t;
  }
  // Short of the quorum: the decision is recorded, the run keeps waiting on the same wait.
  const t = blank(run);
  if (link.recipient) t.useToken = link.jti;
  t.events.push(decided);
  return t;
}

function record(wait: HumanWait, decision: Decision): void {
  wait.decisions = [...(wait.decisions ?? []), decision];
}

const decisionFor = (approver: string, decision: Decision["decision"], now: number): Decision => ({
  approver,
  decision,
  comment: null,
  decided_at: new Date(now).toISOString(),
});
