import type { Step } from "../definitions/types";
import { policyFields } from "./approval-policy";
import { storeResult } from "./context";
import type { EngineDeps } from "./engine";
import type { StepOutcome } from "./outcomes";
import { failStep, goTo } from "./run-end";
import type { HumanWait, StepRowInsert, Transition } from "./state";

// What each kind of executor outcome writes into the transition of the step that reported it.

/** The attempt row's fields known before the outcome: every kind of outcome writes them. */
export type AttemptStart = Pick<
  StepRowInsert,
  "id" | "seq" | "attempt" | "stepId" | "type" | "startedAt" | "input"
>;

type Reported<K extends StepOutcome["kind"]> = Extract<StepOutcome, { kind: K }>;

/** The step finished: record it, store its result and move on (or fail it when the result does not fit). */
export function recordCompleted(
  t: Transition,
  step: Step,
  attempt: AttemptStart,
  outcome: Reported<"completed">,
  now: number,
): void {
  const stores = step.type !== "conditional" || step.output;
  const error = stores ? storeResult(t.run.context, step.output, outcome.output) : undefined;
  if (error) {
    // The result is not written anywhere: it is what did not fit.
    recordFailed(t, attempt, { kind: "failed", error, meta: outcome.meta }, now);
    return;
  }
  t.insertSteps.push({
    ...attempt,
    status: "completed",
    output: outcome.output,
    meta: outcome.meta,
    finishedAt: now,
  });
  t.events.push({
    type: "step.completed",
    stepId: step.id,
    attemptId: attempt.id,
    data: { duration_ms: now - attempt.startedAt },
  });
  goTo(t, outcome.next === undefined ? step.next : outcome.next);
}

/** The step failed, and the run with it. */
export function recordFailed(
  t: Transition,
  attempt: AttemptStart,
  outcome: Reported<"failed">,
  now: number,
): void {
  t.insertSteps.push({
    ...attempt,
    status: "failed",
    error: outcome.error,
    meta: outcome.meta,
    finishedAt: now,
  });
  failStep(t, { stepId: attempt.stepId, attemptId: attempt.id }, outcome.error);
}

/** The step waits for people: park the run on a new wait with one token per holder (the API's first). */
export function parkOnWait(
  t: Transition,
  attempt: AttemptStart,
  outcome: Reported<"waiting">,
  deps: EngineDeps,
): void {
  const { stepId, seq } = attempt;
  const wait: HumanWait = {
    kind: "human",
    type: outcome.type,
    stepId,
    seq,
    attemptId: attempt.id,
    waitId: deps.newId("wait"),
    startedAt: attempt.startedAt,
    expiresAt: outcome.expiresAt,
    remindAt: outcome.remindAt,
    reminders: 0,
    recipients: outcome.recipients,
    ...(outcome.review ? { review: outcome.review } : {}),
    ...policyFields(outcome.policy),
  };
  t.insertSteps.push({ ...attempt, status: "waiting" });
  t.run.status = "waiting";
  t.run.pending = wait;
  for (const recipient of [null, ...outcome.recipients]) {
    t.mintTokens.push({
      jti: deps.newId("tok"),
      stepId,
      waitId: wait.waitId,
      recipient,
      expiresAt: wait.expiresAt,
    });
  }
  t.events.push({
    type: "run.waiting",
    stepId,
    attemptId: attempt.id,
    data: {
      type: outcome.type,
      wait_id: wait.waitId,
      expires_at: new Date(wait.expiresAt).toISOString(),
      recipients: outcome.recipients.length,
      ...(outcome.review ? { revision: outcome.review.revision } : {}),
    },
  });
  for (const recipient of outcome.policy?.dropped ?? []) {
    t.events.push({ type: "wait.recipient_forbidden", stepId, attemptId: attempt.id, data: { recipient } });
  }
  if (outcome.recipients.length > 0) {
    t.effects.push({ kind: "mail", waitId: wait.waitId, mail: "request", recipients: outcome.recipients });
  }
}

/** The step's work went to a queue (an AI job): the run keeps running, pending on that attempt. */
export function dispatchAi(t: Transition, attempt: AttemptStart, outcome: Reported<"dispatched">): void {
  const { stepId, seq, startedAt } = attempt;
  t.insertSteps.push({ ...attempt, status: "running" });
  t.run.pending = { kind: "ai", stepId, seq, attemptId: attempt.id, startedAt, prompt: outcome.prompt };
  t.effects.push({ kind: "ai_job", stepId, attemptId: attempt.id, seq, prompt: outcome.prompt });
}
