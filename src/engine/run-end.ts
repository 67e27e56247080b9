import type { RunError, Transition } from "./state";

// How a transition moves a run on or ends it: every step type (executed, resumed, AI) goes through
// these, so a completed or failed run looks the same whatever ended it.

/** Ends the run completed; on a branch's view, ends the branch (its parallel step's join decides what follows). */
export function completeRun(t: Transition): void {
  t.run.status = "completed";
  t.run.currentStep = null;
  if (!t.run.lane) t.events.push({ type: "run.completed" });
}

/** Moves the run to `next`, or completes it when there is none. */
export function goTo(t: Transition, next: string | null | undefined): void {
  if (!next) {
    completeRun(t);
    return;
  }
  t.run.currentStep = next;
  t.run.status = "running";
}

/** Ends the run failed with `error`. */
export function failRun(t: Transition, error: RunError): void {
  t.run.status = "failed";
  t.run.error = error;
  t.events.push({ type: "run.failed", stepId: error.step_id, data: { error } });
}

/** A step attempt failed, and the run with it: the step's event, then the run's (naming the step). */
export function failStep(
  t: Transition,
  attempt: { stepId: string; attemptId: string },
  error: RunError,
): void {
  t.events.push({ ...attempt, type: "step.failed", data: { error } });
  failRun(t, { ...error, step_id: attempt.stepId });
}
