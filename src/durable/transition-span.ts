import type { Definition } from "../definitions/types";
import type { Transition } from "../engine/state";
import type { Attributes } from "../telemetry/otlp-json";

/** What a run transition's span says: the run, the step it is about, where the run now stands, its events. */
export function transitionAttributes(def: Definition, t: Transition): Attributes {
  const stepId = t.events.find((e) => e.stepId)?.stepId ?? t.run.currentStep ?? undefined;
  const step = stepId ? def.steps.find((s) => s.id === stepId) : undefined;
  return {
    "scaff.run_id": t.run.id,
    "scaff.workflow_id": t.run.workflowId,
    "scaff.workflow_version": t.run.workflowVersion,
    "scaff.step_id": stepId,
    "scaff.step_type": step?.type,
    "scaff.run.status": t.run.status,
    "scaff.events": t.events.map((e) => e.type),
  };
}
