import type { Definition, Step } from "../definitions/types";
import { storeResult } from "./context";
import { blank, type EngineDeps, stepById } from "./engine";
import type { WaitResolution } from "./outcomes";
import { recordReview } from "./review-outcome";
import { failStep, goTo } from "./run-end";
import type { RunError, RunState, Transition } from "./state";

/** Ends the run's human wait with what the person (or the timeout) decided. */
export function resolveWait(
  def: Definition,
  state: RunState,
  resolution: WaitResolution,
  deps: EngineDeps,
  usedToken?: string,
): Transition {
  const t = blank(structuredClone(state));
  const wait = t.run.pending;
  if (t.run.status !== "waiting" || wait?.kind !== "human") {
    throw new Error(`run ${state.id} is not waiting`);
  }
  const step = stepById(def, wait.stepId);
  t.useToken = usedToken;
  t.revokeWaits.push(wait.waitId);
  t.closedWaits.push(wait);
  t.run.pending = null;
  t.run.status = "running";
  const ids = { stepId: step.id, attemptId: wait.attemptId };
  const fail = (error: RunError) => {
    t.updateSteps.push({ id: wait.attemptId, status: "failed", error, finishedAt: deps.now });
    failStep(t, ids, error);
    return t;
  };

  if (resolution.kind === "timed_out_fail") {
    const waited = wait.type === "fix" ? "for a person to fix its output" : "for a person";
    return fail({ code: "timeout", message: `Step '${step.id}' timed out waiting ${waited}` });
  }
  // A review decided by its timeout records what it left unreviewed, like a person's decision would.
  const output =
    resolution.kind === "timed_out_output" && wait.review
      ? {
          ...(resolution.output as Record<string, unknown>),
          revision: wait.review.revision,
          content_hash: wait.review.contentHash,
          edited: false,
          patch: [],
        }
      : resolution.output;
  t.events.push({ ...ids, type: "run.resumed", data: { by: resumeActor(resolution) } });
  // A reviewer's edit replaces the AI step's output first; the approval's own result goes after it.
  const tooLarge =
    (resolution.kind === "approved" && resolution.edit
      ? storeResult(t.run.context, resolution.edit.at, resolution.edit.value)
      : undefined) ?? storeResult(t.run.context, step.output, output);
  if (tooLarge) return fail(tooLarge);
  const meta = wait.review
    ? recordReview(t, ids, wait.review, { ...resolution, output } as WaitResolution)
    : fixMeta(t, ids, resolution);
  t.updateSteps.push({
    id: wait.attemptId,
    status: "completed",
    output,
    ...(meta ? { meta } : {}),
    finishedAt: deps.now,
  });
  t.events.push({ ...ids, type: "step.completed", data: { duration_ms: deps.now - wait.startedAt } });
  moveOn(t, step, resolution);
  return t;
}

/** A person's fix of an AI step's output: recorded as `source: human` with the fixer, and an `ai.fixed` event. */
function fixMeta(
  t: Transition,
  ids: { stepId: string; attemptId: string },
  resolution: WaitResolution,
): Record<string, unknown> | undefined {
  if (resolution.kind !== "fixed") return undefined;
  t.events.push({ ...ids, type: "ai.fixed", data: { source: "human", fixer: resolution.fixer } });
  if (t.run.reviews?.request?.aiStep === ids.stepId) delete t.run.reviews.request;
  return { source: "human", fixer: resolution.fixer };
}

/** After a decision: a rejected approval goes to `on_reject` or ends the run; anything else goes on. */
function moveOn(t: Transition, step: Step, resolution: WaitResolution): void {
  if (resolution.kind === "changes_requested") {
    goTo(t, resolution.request.aiStep);
    return;
  }
  const rejected =
    resolution.kind === "rejected" ||
    (resolution.kind === "timed_out_output" && resolution.decision === "rejected");
  if (!rejected || step.type !== "approval") {
    goTo(t, step.next);
  } else if (step.on_reject) {
    goTo(t, step.on_reject);
  } else {
    t.run.status = "rejected";
    t.run.currentStep = null;
    t.events.push({ type: "run.rejected", stepId: step.id });
  }
}

function resumeActor(resolution: WaitResolution): unknown {
  if (resolution.kind === "fixed") return resolution.fixer;
  const output = "output" in resolution ? resolution.output : undefined;
  if (output && typeof output === "object" && "approver" in output)
    return (output as { approver: unknown }).approver;
  return undefined;
}
