import type { Definition } from "../definitions/types";
import { MAX_REMINDERS } from "../lib/limits";
import { blank, type EngineDeps, stepById } from "./engine";
import { cancelLane } from "./parallel";
import { failStep } from "./run-end";
import { type RunError, type RunState, TERMINAL, type Transition } from "./state";

/** Cancels a non-terminal run: its waits' tokens stop working, its child runs are cancelled, a late AI result is ignored. */
export function cancelRun(state: RunState, deps: EngineDeps, by: string): Transition {
  const t = blank(structuredClone(state));
  if (TERMINAL.has(t.run.status)) throw new Error(`run ${state.id} is already ${state.status}`);
  cancelLane(t, t.run, deps);
  // The object cancels the child runs the transition names after it committed (durable/commit.ts).
  const child = t.cancelChildren.length === 1 ? { child_run_id: t.cancelChildren[0] } : {};
  t.events.push({ type: "run.cancelled", stepId: t.run.currentStep ?? undefined, data: { by, ...child } });
  return t;
}

/** Re-sends the wait's email to its recipients and schedules the next reminder. */
export function remindWait(def: Definition, state: RunState, deps: EngineDeps): Transition {
  const t = blank(structuredClone(state));
  const wait = t.run.pending;
  if (wait?.kind !== "human") throw new Error(`run ${state.id} has no wait to remind`);
  const step = stepById(def, wait.stepId);
  const every = step.type === "form" || step.type === "approval" ? step.remind_after_ms : undefined;
  wait.reminders += 1;
  const next = every ? deps.now + every : undefined;
  wait.remindAt =
    next !== undefined && next < wait.expiresAt && wait.reminders < MAX_REMINDERS ? next : undefined;
  if (wait.recipients.length > 0) {
    t.effects.push({ kind: "mail", waitId: wait.waitId, mail: "reminder", recipients: wait.recipients });
  }
  t.events.push({
    type: "wait.reminded",
    stepId: wait.stepId,
    attemptId: wait.attemptId,
    data: { reminder: wait.reminders },
  });
  return t;
}

/** Fails the step the run is parked on (an open wait's links stop working), e.g. its work was never sent. */
export function failPending(state: RunState, error: RunError, deps: EngineDeps): Transition {
  const t = blank(structuredClone(state));
  const pending = t.run.pending;
  if (!pending) throw new Error(`run ${state.id} has no step in flight`);
  t.updateSteps.push({ id: pending.attemptId, status: "failed", error, finishedAt: deps.now });
  if (pending.kind === "human") {
    t.revokeWaits.push(pending.waitId);
    t.closedWaits.push(pending);
  }
  t.run.pending = null;
  failStep(t, { stepId: pending.stepId, attemptId: pending.attemptId }, error);
  return t;
}
