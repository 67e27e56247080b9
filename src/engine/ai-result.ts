import type { Definition } from "../definitions/types";
import { storeResult } from "./context";
import { blank, type EngineDeps, stepById } from "./engine";
import type { RunState, StepRowInsert, Transition } from "./state";

/** One provider call of an AI step, as the queue consumer reports it. */
export interface AiAttemptReport {
  attempt: number;
  status: "completed" | "failed";
  input: unknown;
  output?: unknown;
  error?: { message: string; errors?: unknown[] };
  meta: {
    provider: string;
    model: string;
    template_id: string | null;
    tokens_prompt: number;
    tokens_output: number;
    latency_ms: number;
  };
  startedAt: number;
  finishedAt: number;
}

/** The outcome of an AI step's generation loop. */
export type AiStepResult =
  | { status: "completed"; output: unknown; attempts: AiAttemptReport[] }
  | { status: "failed"; code: string; message: string; errors?: unknown[]; attempts: AiAttemptReport[] };

/** True when a result belongs to the AI attempt the run is waiting for (else it is stale or a duplicate). */
export function acceptsAiResult(state: RunState, attemptId: string): boolean {
  return state.status === "running" && state.pending?.kind === "ai" && state.pending.attemptId === attemptId;
}

/** Records every attempt of an AI step and moves the run on (completed) or fails it (exhausted, refused). */
export function applyAiResult(
  def: Definition,
  state: RunState,
  result: AiStepResult,
  deps: EngineDeps,
): Transition {
  const run = structuredClone(state);
  const pending = run.pending;
  if (pending?.kind !== "ai") throw new Error(`run ${state.id} has no AI step in flight`);
  const step = stepById(def, pending.stepId);
  const t = blank(run);
  for (const a of result.attempts) {
    const attemptId = a.attempt === 1 ? pending.attemptId : deps.newId("att");
    const ids = { stepId: step.id, attemptId };
    t.events.push({
      ...ids,
      type: "ai.request",
      data: {
        provider: a.meta.provider,
        model: a.meta.model,
        template_id: a.meta.template_id,
        attempt: a.attempt,
      },
    });
    t.events.push({
      ...ids,
      type: "ai.response",
      data: {
        ...a.meta,
        attempt: a.attempt,
        ...(a.error ? { error: a.error.message, errors: a.error.errors ?? [] } : {}),
      },
    });
    if (a.attempt === 1) {
      t.updateSteps.push({
        id: pending.attemptId,
        status: a.status,
        input: a.input,
        output: a.output,
        error: a.error,
        meta: a.meta,
        finishedAt: a.finishedAt,
      });
    } else {
      const row: StepRowInsert = {
        id: attemptId,
        seq: pending.seq,
        attempt: a.attempt,
        stepId: step.id,
        type: step.type,
        status: a.status,
        input: a.input,
        output: a.output,
        error: a.error,
        meta: a.meta,
        startedAt: a.startedAt,
        finishedAt: a.finishedAt,
      };
      t.insertSteps.push(row);
    }
  }
  if (result.attempts.length === 0) {
    // Failed before any provider call (e.g. the dead-letter queue gave up): close the open attempt row.
    const error = result.status === "failed" ? { message: result.message } : undefined;
    t.updateSteps.push({
      id: pending.attemptId,
      status: result.status === "failed" ? "failed" : "completed",
      error,
      finishedAt: deps.now,
    });
  }
  run.pending = null;
  if (result.status === "completed") {
    t.events.push({
      type: "step.completed",
      stepId: step.id,
      attemptId: pending.attemptId,
      data: { attempts: result.attempts.length, duration_ms: deps.now - pending.startedAt },
    });
    storeResult(run.context, step.output, result.output);
    if (step.next) {
      run.currentStep = step.next;
    } else {
      run.status = "completed";
      run.currentStep = null;
      t.events.push({ type: "run.completed" });
    }
    return t;
  }
  const error = {
    code: result.code,
    message: result.message,
    step_id: step.id,
    ...(result.errors ? { details: result.errors } : {}),
  };
  t.events.push({ type: "step.failed", stepId: step.id, attemptId: pending.attemptId, data: { error } });
  run.status = "failed";
  run.error = error;
  t.events.push({ type: "run.failed", stepId: step.id, data: { error } });
  return t;
}
