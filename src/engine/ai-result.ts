import type { Definition, Step } from "../definitions/types";
import { storeResult } from "./context";
import { blank, type EngineDeps, stepById } from "./engine";
import { parkOnFix, wantsFix } from "./fix-wait";
import { laneOfAttempt, laneView } from "./lanes";
import { failStep, goTo } from "./run-end";
import type { AiPending, RunState, Transition } from "./state";

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
    /** USD by AI_PRICES and the built-in prices; null for a model without a price. */
    cost_usd?: number | null;
    /** The step's primary provider, when a fallback made this call. */
    fallback_from?: string;
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
  const lane = laneOfAttempt(state, attemptId);
  const view = lane && laneView(state, lane);
  return view?.status === "running" && view.pending?.kind === "ai";
}

/** Records every attempt of an AI step and moves the run on (completed) or fails it (exhausted, refused). */
export function applyAiResult(
  def: Definition,
  state: RunState,
  reported: AiStepResult,
  deps: EngineDeps,
): Transition {
  const t = blank(structuredClone(state));
  const pending = t.run.pending;
  if (pending?.kind !== "ai") throw new Error(`run ${state.id} has no AI step in flight`);
  const step = stepById(def, pending.stepId);
  const result = fitResult(t, step, reported);
  for (const a of result.attempts) recordAttempt(t, pending, step, a, deps);
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
  t.run.pending = null;
  // The send-back this step answered (if any) is answered now, whatever came of it.
  if (t.run.reviews?.request?.aiStep === step.id) delete t.run.reviews.request;
  const ids = { stepId: step.id, attemptId: pending.attemptId };
  if (result.status === "failed" && step.type === "ai_generate" && wantsFix(step, result)) {
    parkOnFix(t, step, pending, result, deps);
    return t;
  }
  if (result.status === "completed") {
    t.events.push({
      ...ids,
      type: "step.completed",
      data: { attempts: result.attempts.length, duration_ms: deps.now - pending.startedAt },
    });
    goTo(t, step.next);
    return t;
  }
  const { code, message, errors } = result;
  failStep(t, ids, { code, message, step_id: step.id, ...(errors ? { details: errors } : {}) });
  return t;
}

/**
 * Stores a completed result in the run's context; one that does not fit becomes the step's failure
 * (`context_too_large`), its last attempt failed and without the output that did not fit.
 */
function fitResult(t: Transition, step: Step, result: AiStepResult): AiStepResult {
  if (result.status !== "completed") return result;
  const error = storeResult(t.run.context, step.output, result.output);
  if (!error) return result;
  const last = result.attempts.length - 1;
  const attempts = result.attempts.map((a, i) =>
    i === last
      ? { ...a, status: "failed" as const, output: undefined, error: { message: error.message } }
      : a,
  );
  return { status: "failed", code: error.code, message: error.message, attempts };
}

/** One provider call: its request and response events, and its attempt row (the first one is open). */
function recordAttempt(
  t: Transition,
  pending: AiPending,
  step: Step,
  a: AiAttemptReport,
  deps: EngineDeps,
): void {
  const attemptId = a.attempt === 1 ? pending.attemptId : deps.newId("att");
  const ids = { stepId: step.id, attemptId };
  const { provider, model, template_id } = a.meta;
  t.events.push({ ...ids, type: "ai.request", data: { provider, model, template_id, attempt: a.attempt } });
  t.events.push({
    ...ids,
    type: "ai.response",
    data: {
      ...a.meta,
      attempt: a.attempt,
      ...(a.error ? { error: a.error.message, errors: a.error.errors ?? [] } : {}),
    },
  });
  const { status, input, output, error, meta, finishedAt } = a;
  if (a.attempt === 1) {
    t.updateSteps.push({ id: pending.attemptId, status, input, output, error, meta, finishedAt });
    return;
  }
  t.insertSteps.push({
    id: attemptId,
    seq: pending.seq,
    attempt: a.attempt,
    stepId: step.id,
    type: step.type,
    status,
    input,
    output,
    error,
    meta,
    startedAt: a.startedAt,
    finishedAt,
  });
}
