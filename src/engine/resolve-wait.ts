import type { Definition, Step } from "../definitions/types";
import { storeResult } from "./context";
import { blank, type EngineDeps, stepById } from "./engine";
import type { WaitResolution } from "./outcomes";
import { failStep, goTo } from "./run-end";
import type { RunState, Transition } from "./state";

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
  t.closedWait = wait;
  t.run.pending = null;
  t.run.status = "running";
  const ids = { stepId: step.id, attemptId: wait.attemptId };

  if (resolution.kind === "timed_out_fail") {
    const error = { code: "timeout", message: `Step '${step.id}' timed out waiting for a person` };
    t.updateSteps.push({ id: wait.attemptId, status: "failed", error, finishedAt: deps.now });
    failStep(t, ids, error);
    return t;
  }
  const output = resolution.output;
  t.events.push({ ...ids, type: "run.resumed", data: { by: resumeActor(output) } });
  const tooLarge = storeResult(t.run.context, step.output, output);
  if (tooLarge) {
    t.updateSteps.push({ id: wait.attemptId, status: "failed", error: tooLarge, finishedAt: deps.now });
    failStep(t, ids, tooLarge);
    return t;
  }
  t.updateSteps.push({ id: wait.attemptId, status: "completed", output, finishedAt: deps.now });
  t.events.push({ ...ids, type: "step.completed", data: { duration_ms: deps.now - wait.startedAt } });
  moveOn(t, step, resolution);
  return t;
}

/** After a decision: a rejected approval goes to `on_reject` or ends the run; anything else goes on. */
function moveOn(t: Transition, step: Step, resolution: WaitResolution): void {
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

function resumeActor(output: unknown): unknown {
  if (output && typeof output === "object" && "approver" in output)
    return (output as { approver: unknown }).approver;
  return undefined;
}
