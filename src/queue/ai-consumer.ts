import { isPermanentAiError, isTransientAiError } from "../ai/errors";
import { type AiAttemptRecord, generateWithSchema } from "../ai/generate";
import { createAiProvider } from "../ai/provider-factory";
import { loadDefinition } from "../definitions/cache";
import type { AiGenerateStep } from "../definitions/types";
import { runStub } from "../durable/address";
import type { AiAttemptReport, AiStepResult } from "../engine/ai-result";
import { stepById } from "../engine/engine";
import type { Logger } from "../lib/logger";
import { retryDelaySeconds } from "./backoff";
import type { AiJobMessage } from "./messages";

const MAX_STORED_MESSAGE = 16_384;

function report(a: AiAttemptRecord, step: AiGenerateStep, provider: string): AiAttemptReport {
  const failed = a.errors !== undefined || a.error !== undefined;
  return {
    attempt: a.attempt,
    status: failed ? "failed" : "completed",
    input: {
      model: a.request.model ?? null,
      messages: a.request.messages.map((m) => ({
        role: m.role,
        content: m.content.slice(0, MAX_STORED_MESSAGE),
      })),
    },
    output: a.output,
    error: failed
      ? { message: a.error ?? "output did not match the schema", errors: a.errors ?? [] }
      : undefined,
    meta: {
      provider: a.response?.provider ?? provider,
      model: a.response?.model ?? step.model ?? "",
      template_id: step.template ?? null,
      tokens_prompt: a.response?.tokensPrompt ?? 0,
      tokens_output: a.response?.tokensOutput ?? 0,
      latency_ms: a.latencyMs,
    },
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
  };
}

/**
 * Runs one AI job: generate with schema-enforced re-asks, then hand the result to the run's Durable
 * Object. Transient provider failures ask the queue to retry; a stale job (the run moved on) is dropped.
 */
export async function runAiJob(
  env: Env,
  msg: AiJobMessage,
  deliveryAttempt: number,
  log: Logger,
): Promise<{ retryAfterSeconds?: number }> {
  // The run's object says whether it still waits for this attempt (a stale job is dropped here).
  const job = await runStub(env, msg.runId).aiJob(msg.runId, msg.attemptId);
  if (!job.ok || !job.value) return {};
  const def = await loadDefinition(env.DB, job.value.workflowId, job.value.workflowVersion);
  if (!def) return {};
  const step = stepById(def, msg.stepId);
  if (step.type !== "ai_generate") return {};
  let result: AiStepResult;
  try {
    const jobKey = { key: `${msg.runId}:${msg.stepId}:${msg.seq}`, deliveryAttempt, step };
    const provider = createAiProvider(env, { job: jobKey });
    const generated = await generateWithSchema(provider, {
      prompt: msg.prompt,
      system: step.system,
      schema: step.schema,
      schemaName: step.id,
      maxRetries: step.max_retries,
      model: step.model,
      temperature: step.temperature,
    });
    const attempts = generated.attempts.map((a) => report(a, step, provider.name));
    result =
      generated.status === "completed"
        ? { status: "completed", output: generated.output, attempts }
        : {
            status: "failed",
            code: generated.errors.length > 0 ? "schema_violation" : "ai_failed",
            message: generated.message,
            errors: generated.errors,
            attempts,
          };
  } catch (e) {
    if (isTransientAiError(e)) {
      log.warn("ai provider unavailable; retrying", {
        run_id: msg.runId,
        step_id: msg.stepId,
        error: e.message,
        attempt: deliveryAttempt,
      });
      return { retryAfterSeconds: retryDelaySeconds(deliveryAttempt, e.retryAfterSeconds) };
    }
    const message = e instanceof Error ? e.message : String(e);
    if (!isPermanentAiError(e) && !(e instanceof Error && "code" in e)) throw e;
    result = { status: "failed", code: "ai_failed", message, attempts: [] };
  }
  const applied = await runStub(env, msg.runId).aiResult(msg.runId, msg.attemptId, result);
  if (!applied.ok) throw new Error(`run ${msg.runId} refused the AI result: ${applied.error.message}`);
  log.info("ai job done", {
    run_id: msg.runId,
    step_id: msg.stepId,
    status: result.status,
    applied: applied.value.applied,
  });
  return {};
}

/** Dead-lettered AI job: the provider stayed unavailable through every queue retry, so the step fails. */
export async function abandonAiJob(env: Env, msg: AiJobMessage): Promise<void> {
  await runStub(env, msg.runId).aiResult(msg.runId, msg.attemptId, {
    status: "failed",
    code: "ai_unavailable",
    message: "The AI provider stayed unavailable through every retry of the queue; the step gave up",
    attempts: [],
  });
}
