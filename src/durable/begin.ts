import type { Definition } from "../definitions/types";
import { applyStepOutcome, beginRun, type EngineDeps, stepById } from "../engine/engine";
import type { Transition } from "../engine/state";
import { executeStep } from "../executors";
import type { StartParams } from "./params";

/** A start's first transition: the run's creation, with its first step when that step may share the batch. */
export async function firstTransition(
  def: Definition,
  p: StartParams,
  deps: EngineDeps,
): Promise<Transition> {
  const { runId, workflowVersion, inputs, profile } = p;
  const begun = beginRun(def, { runId, workflowVersion, inputs, profile }, deps);
  // The first step shares the run's creating batch (one D1 round trip less) unless it has side
  // effects: an api_call must not run before the run exists, or an idempotency race could repeat it;
  // a workflow step starts a child run, which needs its parent to exist.
  const first = stepById(def, def.start_step);
  if (first.type === "api_call" || first.type === "workflow") return begun;
  const now = deps.now;
  const outcome = await executeStep(first, { definition: def, run: begun.run, now, secrets: {} });
  const t = applyStepOutcome(def, begun.run, outcome, deps, now);
  t.events.unshift(...begun.events);
  return t;
}
