import type { Definition } from "../definitions/types";
import { storeResult } from "./context";
import { blank, type EngineDeps, stepById } from "./engine";
import { findLane } from "./lanes";
import type { StepOutcome } from "./outcomes";
import { failStep, goTo } from "./run-end";
import type { RunError, RunState, RunStatus, Transition } from "./state";
import type { AttemptStart } from "./step-outcome";

// A `workflow` step: the parent waits for its child run, and continues with the child's runtime or
// fails with why the child did not complete (docs/workflows.md, `workflow`).

/** What a parent learns of its child when the child stops for good (or has already stopped). */
export interface ChildEnd {
  runId: string;
  status: RunStatus;
  runtime: Record<string, unknown>;
  error: RunError | null;
}

/** The step outcome a child's end amounts to: its runtime, or a failure saying how it ended. */
export function childOutcome(end: ChildEnd): Extract<StepOutcome, { kind: "completed" | "failed" }> {
  const details = [
    { child_run_id: end.runId, status: end.status, ...(end.error ? { error: end.error } : {}) },
  ];
  switch (end.status) {
    case "completed":
      return { kind: "completed", output: end.runtime };
    case "rejected":
      return {
        kind: "failed",
        error: { code: "child_rejected", message: `The child run ${end.runId} was rejected`, details },
      };
    case "cancelled":
      return {
        kind: "failed",
        error: { code: "child_cancelled", message: `The child run ${end.runId} was cancelled`, details },
      };
    default:
      return {
        kind: "failed",
        error: {
          code: "child_failed",
          message: `The child run ${end.runId} failed${end.error ? `: ${end.error.message}` : ""}`,
          details,
        },
      };
  }
}

/** The step started a child that has not ended: the run waits for it. */
export function parkOnChild(
  t: Transition,
  attempt: AttemptStart,
  outcome: Extract<StepOutcome, { kind: "child" }>,
): void {
  const { stepId, seq, startedAt } = attempt;
  t.insertSteps.push({ ...attempt, status: "waiting" });
  t.run.status = "waiting";
  t.run.pending = {
    kind: "child",
    stepId,
    seq,
    attemptId: attempt.id,
    startedAt,
    childRunId: outcome.childRunId,
  };
  t.events.push({
    type: "run.waiting",
    stepId,
    attemptId: attempt.id,
    data: { type: "workflow", child_run_id: outcome.childRunId },
  });
}

/** True when `end` is the end of the child the run waits for (else it is stale or a duplicate). */
export function acceptsChildEnd(state: RunState, end: ChildEnd): boolean {
  return laneOfChild(state, end.runId) !== null;
}

/** The lane waiting for child run `childRunId`, or null. */
export const laneOfChild = (state: RunState, childRunId: string) =>
  findLane(state, (p) => p.kind === "child" && p.childRunId === childRunId);

/** The child ended: the step completes with the child's runtime and the run moves on, or both fail. */
export function applyChildEnd(def: Definition, state: RunState, end: ChildEnd, deps: EngineDeps): Transition {
  const t = blank(structuredClone(state));
  const wait = t.run.pending;
  if (wait?.kind !== "child") throw new Error(`run ${state.id} waits for no child run`);
  const step = stepById(def, wait.stepId);
  const outcome = childOutcome(end);
  const ids = { stepId: wait.stepId, attemptId: wait.attemptId };
  t.run.pending = null;
  t.run.status = "running";
  t.events.push({ type: "run.resumed", ...ids, data: { child_run_id: end.runId, child_status: end.status } });
  const output = outcome.kind === "completed" ? outcome.output : undefined;
  const error = outcome.kind === "failed" ? outcome.error : storeResult(t.run.context, step.output, output);
  if (error) {
    t.updateSteps.push({ id: wait.attemptId, status: "failed", error, finishedAt: deps.now });
    failStep(t, ids, error);
    return t;
  }
  t.updateSteps.push({ id: wait.attemptId, status: "completed", output, finishedAt: deps.now });
  t.events.push({ type: "step.completed", ...ids, data: { duration_ms: deps.now - wait.startedAt } });
  goTo(t, step.next);
  return t;
}
