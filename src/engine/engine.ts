import { type Definition, MAX_EXECUTED_STEPS, type Step } from "../definitions/types";
import { parkOnChild } from "./child-run";
import type { StepOutcome } from "./outcomes";
import { splitRun } from "./parallel";
import { failRun } from "./run-end";
import type { RunContext, RunState, Transition } from "./state";
import { type AttemptStart, dispatchAi, parkOnWait, recordCompleted, recordFailed } from "./step-outcome";

/** The clock and id source of one transition: injected so the engine stays pure. */
export interface EngineDeps {
  now: number;
  newId: (prefix: string) => string;
}

/** An empty transition of `run`: the engine's functions fill it in. */
export const blank = (run: RunState): Transition => ({
  run,
  insertSteps: [],
  updateSteps: [],
  events: [],
  mintTokens: [],
  revokeWaits: [],
  closedWaits: [],
  cancelChildren: [],
  effects: [],
});

/** Finds a step by id; the definition was validated, so a miss is a bug worth failing loudly on. */
export function stepById(def: Definition, id: string): Step {
  const step = def.steps.find((s) => s.id === id);
  if (!step) throw new Error(`step '${id}' not in definition ${def.id}`);
  return step;
}

/** The first transition of a run: created and started at the definition's start step. */
export function beginRun(
  def: Definition,
  params: {
    runId: string;
    workflowVersion: number;
    inputs: Record<string, unknown>;
    profile: Record<string, unknown>;
  },
  deps: EngineDeps,
): Transition {
  const context: RunContext = {
    static: structuredClone(def.context),
    profile: structuredClone(params.profile),
    runtime: structuredClone(params.inputs),
  };
  const run: RunState = {
    id: params.runId,
    workflowId: def.id,
    workflowVersion: params.workflowVersion,
    status: "running",
    currentStep: def.start_step,
    context,
    pending: null,
    stepsExecuted: 0,
    error: null,
    version: 0,
    createdAt: deps.now,
  };
  const t = blank(run);
  t.events.push(
    { type: "run.created", data: { workflow_id: def.id, workflow_version: params.workflowVersion } },
    { type: "run.started", stepId: def.start_step },
  );
  return t;
}

/** True, with the run failed, when executing one more step would pass the loop budget. */
export function overLoopBudget(t: Transition): boolean {
  if (t.run.stepsExecuted < MAX_EXECUTED_STEPS) return false;
  failRun(t, {
    code: "loop_limit",
    message: `The run executed ${MAX_EXECUTED_STEPS} steps without finishing; it is stopped to break a likely endless loop`,
    step_id: t.run.currentStep ?? undefined,
  });
  return true;
}

/** Applies what an executor reported for the run's current step. */
export function applyStepOutcome(
  def: Definition,
  state: RunState,
  outcome: StepOutcome,
  deps: EngineDeps,
  startedAt: number,
): Transition {
  const t = blank(structuredClone(state));
  if (t.run.status !== "running" || t.run.pending || !t.run.currentStep) {
    throw new Error(`run ${state.id} cannot execute a step in status ${state.status}`);
  }
  if (overLoopBudget(t)) return t;
  const step = stepById(def, t.run.currentStep);
  const seq = t.run.stepsExecuted + 1;
  t.run.stepsExecuted = seq;
  const attempt: AttemptStart = {
    id: deps.newId("att"),
    seq,
    attempt: 1,
    stepId: step.id,
    type: step.type,
    startedAt,
    input: outcome.input,
  };
  t.events.push({
    type: "step.started",
    stepId: step.id,
    attemptId: attempt.id,
    data: { type: step.type, seq },
  });
  switch (outcome.kind) {
    case "completed":
      recordCompleted(t, step, attempt, outcome, deps.now);
      break;
    case "failed":
      recordFailed(t, attempt, outcome, deps.now);
      break;
    case "waiting":
      parkOnWait(t, attempt, outcome, deps);
      break;
    case "dispatched":
      dispatchAi(t, attempt, outcome);
      break;
    case "child":
      parkOnChild(t, attempt, outcome);
      break;
    case "parallel":
      if (step.type !== "parallel") throw new Error(`step ${step.id} is not a parallel step`);
      splitRun(t, step, attempt);
      break;
  }
  return t;
}
