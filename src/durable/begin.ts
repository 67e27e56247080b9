import type { Definition } from "../definitions/types";
import { applyStepOutcome, beginRun, type EngineDeps, stepById } from "../engine/engine";
import type { Transition } from "../engine/state";
import { executeStep } from "../executors";
import { drive, type Steps } from "./drive";
import { mustLoadDefinition } from "./load";
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

/** Creates the run (its first transition) and drives it to its first wait, AI step or end. */
export async function createRun(o: Steps, p: StartParams): Promise<void> {
  const def = await mustLoadDefinition(o.env.DB, p.workflowId, p.workflowVersion);
  const now = Date.now();
  const t = await firstTransition(def, p, o.deps(now));
  await o.commit(def, t, now, p.origin);
  // A request's own log line names the run it started; a child run's start has no request of its own.
  const level = p.origin.parent ? "info" : "debug";
  o.log(p.runId)[level]("run started", { workflow_id: p.workflowId, version: p.workflowVersion });
  await drive(o, def, t.run);
}
