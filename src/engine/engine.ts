import { type Definition, MAX_EXECUTED_STEPS, type Step } from "../definitions/types";
import { storeResult } from "./context";
import type { StepOutcome, WaitResolution } from "./outcomes";
import type { EventRecord, HumanWait, RunContext, RunError, RunState, Transition } from "./state";

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

/** Moves the run to `next`, or completes it when there is none. */
function goTo(t: Transition, next: string | null | undefined): void {
  if (next) {
    t.run.currentStep = next;
    t.run.status = "running";
    return;
  }
  t.run.status = "completed";
  t.run.currentStep = null;
  t.events.push({ type: "run.completed" });
}

function failRun(t: Transition, error: RunError): void {
  t.run.status = "failed";
  t.run.error = error;
  t.events.push({ type: "run.failed", stepId: error.step_id, data: { error } });
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
  const attemptId = deps.newId("att");
  const base = {
    id: attemptId,
    seq,
    attempt: 1,
    stepId: step.id,
    type: step.type,
    startedAt,
    input: outcome.input,
  };
  const started: EventRecord = {
    type: "step.started",
    stepId: step.id,
    attemptId,
    data: { type: step.type, seq },
  };
  t.events.push(started);

  switch (outcome.kind) {
    case "completed": {
      t.insertSteps.push({
        ...base,
        status: "completed",
        output: outcome.output,
        meta: outcome.meta,
        finishedAt: deps.now,
      });
      t.events.push({
        type: "step.completed",
        stepId: step.id,
        attemptId,
        data: { duration_ms: deps.now - startedAt },
      });
      if (step.type !== "conditional" || step.output) storeResult(t.run.context, step.output, outcome.output);
      goTo(t, outcome.next === undefined ? step.next : outcome.next);
      return t;
    }
    case "failed": {
      t.insertSteps.push({
        ...base,
        status: "failed",
        error: outcome.error,
        meta: outcome.meta,
        finishedAt: deps.now,
      });
      t.events.push({ type: "step.failed", stepId: step.id, attemptId, data: { error: outcome.error } });
      failRun(t, { ...outcome.error, step_id: step.id });
      return t;
    }
    case "waiting": {
      const wait: HumanWait = {
        kind: "human",
        type: outcome.type,
        stepId: step.id,
        seq,
        attemptId,
        waitId: deps.newId("wait"),
        startedAt,
        expiresAt: outcome.expiresAt,
        remindAt: outcome.remindAt,
        reminders: 0,
        recipients: outcome.recipients,
      };
      t.insertSteps.push({ ...base, status: "waiting" });
      t.run.status = "waiting";
      t.run.pending = wait;
      const holders = [null, ...outcome.recipients];
      for (const recipient of holders) {
        t.mintTokens.push({
          jti: deps.newId("tok"),
          stepId: step.id,
          waitId: wait.waitId,
          recipient,
          expiresAt: wait.expiresAt,
        });
      }
      t.events.push({
        type: "run.waiting",
        stepId: step.id,
        attemptId,
        data: {
          type: outcome.type,
          wait_id: wait.waitId,
          expires_at: new Date(wait.expiresAt).toISOString(),
          recipients: outcome.recipients.length,
        },
      });
      if (outcome.recipients.length > 0) {
        t.effects.push({
          kind: "mail",
          waitId: wait.waitId,
          mail: "request",
          recipients: outcome.recipients,
        });
      }
      return t;
    }
    case "dispatched": {
      t.insertSteps.push({ ...base, status: "running" });
      t.run.pending = { kind: "ai", stepId: step.id, seq, attemptId, startedAt, prompt: outcome.prompt };
      t.effects.push({ kind: "ai_job", stepId: step.id, attemptId, seq, prompt: outcome.prompt });
      return t;
    }
  }
}

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
  t.run.pending = null;
  t.run.status = "running";
  const ids = { stepId: step.id, attemptId: wait.attemptId };

  if (resolution.kind === "timed_out_fail") {
    const error = { code: "timeout", message: `Step '${step.id}' timed out waiting for a person` };
    t.updateSteps.push({ id: wait.attemptId, status: "failed", error, finishedAt: deps.now });
    t.events.push({ ...ids, type: "step.failed", data: { error } });
    failRun(t, { ...error, step_id: step.id });
    return t;
  }
  const output = resolution.output;
  t.updateSteps.push({ id: wait.attemptId, status: "completed", output, finishedAt: deps.now });
  t.events.push({ ...ids, type: "run.resumed", data: { by: resumeActor(output) } });
  t.events.push({ ...ids, type: "step.completed", data: { duration_ms: deps.now - wait.startedAt } });
  storeResult(t.run.context, step.output, output);

  const rejected =
    resolution.kind === "rejected" ||
    (resolution.kind === "timed_out_output" && resolution.decision === "rejected");
  if (rejected && step.type === "approval") {
    if (step.on_reject) {
      goTo(t, step.on_reject);
    } else {
      t.run.status = "rejected";
      t.run.currentStep = null;
      t.events.push({ type: "run.rejected", stepId: step.id });
    }
    return t;
  }
  goTo(t, step.next);
  return t;
}

function resumeActor(output: unknown): unknown {
  if (output && typeof output === "object" && "approver" in output)
    return (output as { approver: unknown }).approver;
  return undefined;
}
