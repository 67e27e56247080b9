import { type AiGenerateStep, DEFAULT_WAIT_TIMEOUT_MS } from "../definitions/types";
import { renderRecipients } from "../executors/recipients";
import { MAX_RECIPIENTS } from "../lib/limits";
import type { AiStepResult } from "./ai-result";
import type { EngineDeps } from "./engine";
import type { AiPending, FixShown, HumanWait, Transition } from "./state";
import { templateView } from "./view";

type Failed = Extract<AiStepResult, { status: "failed" }>;

/** True when a person should fix this failure: `on_invalid: fix` and the output failed validation (not the provider). */
export function wantsFix(step: AiGenerateStep, result: Failed): boolean {
  return step.on_invalid === "fix" && result.code === "schema_violation";
}

/**
 * Parks the run on a `fix` wait for the AI step whose last re-ask failed validation: a new attempt row
 * (waiting), a token per fixer plus the API's, and the fixers' email. What the page shows (the last
 * output and its errors) is kept on the wait.
 */
export function parkOnFix(
  t: Transition,
  step: AiGenerateStep,
  pending: AiPending,
  result: Failed,
  deps: EngineDeps,
): void {
  const last = result.attempts.at(-1);
  const fix: FixShown = {
    output: last?.output ?? null,
    errors: (result.errors ?? []) as FixShown["errors"],
  };
  const recipients = renderRecipients(step.fixers ?? [], templateView(t.run)).valid.slice(0, MAX_RECIPIENTS);
  const attemptId = deps.newId("att");
  const wait: HumanWait = {
    kind: "human",
    type: "fix",
    stepId: step.id,
    seq: pending.seq,
    attemptId,
    waitId: deps.newId("wait"),
    startedAt: deps.now,
    // An ai_generate step's `timeout` bounds each provider call: a fix waits as long as any link lasts.
    expiresAt: deps.now + DEFAULT_WAIT_TIMEOUT_MS,
    reminders: 0,
    recipients,
    fix,
  };
  t.insertSteps.push({
    id: attemptId,
    seq: pending.seq,
    attempt: result.attempts.length + 1,
    stepId: step.id,
    type: step.type,
    status: "waiting",
    input: { fix: true, errors: fix.errors, recipients },
    startedAt: deps.now,
  });
  t.run.status = "waiting";
  t.run.pending = wait;
  for (const recipient of [null, ...recipients]) {
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
      type: "fix",
      wait_id: wait.waitId,
      expires_at: new Date(wait.expiresAt).toISOString(),
      recipients: recipients.length,
      errors: fix.errors.length,
    },
  });
  if (recipients.length > 0) {
    t.effects.push({ kind: "mail", waitId: wait.waitId, mail: "request", recipients });
  }
}
