import { isPermanentAiError, isTransientAiError } from "../ai/errors";
import { type AiAttemptRecord, generateWithSchema } from "../ai/generate";
import { costUsd, type PriceTable, parseAiPrices } from "../ai/prices";
import { createAiProvider } from "../ai/provider-factory";
import { type AiTargetChoice, aiTargets, targetLabel } from "../ai/targets";
import { loadDefinition } from "../definitions/cache";
import type { AiGenerateStep } from "../definitions/types";
import { runStub } from "../durable/address";
import type { AiAttemptReport, AiStepResult } from "../engine/ai-result";
import { stepById } from "../engine/engine";
import type { Logger } from "../lib/logger";
import { annotateSpan, currentTraceparent } from "../telemetry";
import { recordAttemptSpans } from "./ai-spans";
import { retryDelaySeconds } from "./backoff";
import type { AiJobMessage } from "./messages";

const MAX_STORED_MESSAGE = 16_384;

/** How one job reports its attempts: prices, the target that answered, and the tiers that gave up before. */
interface Reporting {
  step: AiGenerateStep;
  prices: PriceTable;
  target: AiTargetChoice;
  /** Attempts already reported for earlier tiers (their numbers come first). */
  offset: number;
  fallbackFrom?: string;
}

function report(a: AiAttemptRecord, r: Reporting, provider: string): AiAttemptReport {
  const failed = a.errors !== undefined || a.error !== undefined;
  const model = a.response?.model ?? r.target.model ?? "";
  const tokensPrompt = a.response?.tokensPrompt ?? 0;
  const tokensOutput = a.response?.tokensOutput ?? 0;
  return {
    attempt: a.attempt + r.offset,
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
      model,
      template_id: r.step.template ?? null,
      tokens_prompt: tokensPrompt,
      tokens_output: tokensOutput,
      latency_ms: a.latencyMs,
      cost_usd: costUsd(r.prices, model, tokensPrompt, tokensOutput),
      ...(r.fallbackFrom ? { fallback_from: r.fallbackFrom } : {}),
    },
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
  };
}

/** One failed attempt per tier that gave up before this one, so the run's events name every provider. */
function gaveUp(targets: AiTargetChoice[], tier: number, r: Reporting, now: number): AiAttemptReport[] {
  return targets.slice(0, tier).map((t, i) => ({
    attempt: i + 1,
    status: "failed",
    input: { model: t.model ?? null, messages: [] },
    error: {
      message: `${targetLabel(t)} stayed unavailable through every queue retry; ${targetLabel(targets[i + 1] ?? t)} was asked instead`,
    },
    meta: {
      provider: t.provider,
      model: t.model ?? "",
      template_id: r.step.template ?? null,
      tokens_prompt: 0,
      tokens_output: 0,
      latency_ms: 0,
      cost_usd: 0,
    },
    startedAt: now,
    finishedAt: now,
  }));
}

/** Generates the step's output with the job's target; provider outages are thrown for the queue. */
async function generate(env: Env, msg: AiJobMessage, step: AiGenerateStep, deliveryAttempt: number) {
  const tier = msg.fallback ?? 0;
  const targets = aiTargets(step, env.AI_PROVIDER);
  const target = targets[tier] ?? (targets[0] as AiTargetChoice);
  const prices = parseAiPrices(env.AI_PRICES);
  const job = { key: `${msg.runId}:${msg.stepId}:${msg.seq}`, deliveryAttempt, step };
  const provider = createAiProvider(env, { job, provider: target.provider });
  const generated = await generateWithSchema(provider, {
    prompt: msg.prompt,
    system: step.system,
    schema: step.schema,
    schemaName: step.id,
    maxRetries: step.max_retries,
    model: target.model,
    temperature: step.temperature,
  });
  const first = targets[0]?.provider;
  const r: Reporting = { step, prices, target, offset: tier, ...(tier > 0 ? { fallbackFrom: first } : {}) };
  const startedAt = generated.attempts[0]?.startedAt ?? Date.now();
  const attempts = [
    ...gaveUp(targets, tier, r, startedAt),
    ...generated.attempts.map((a) => report(a, r, provider.name)),
  ];
  return generated.status === "completed"
    ? ({ status: "completed", output: generated.output, attempts } satisfies AiStepResult)
    : ({
        status: "failed",
        code: generated.errors.length > 0 ? "schema_violation" : "ai_failed",
        message: generated.message,
        errors: generated.errors,
        attempts,
      } satisfies AiStepResult);
}

/** The ai_generate step a job is for, or null when the job is stale (the run moved on). */
async function jobStep(env: Env, msg: AiJobMessage): Promise<AiGenerateStep | null> {
  // The run's object says whether it still waits for this attempt (a stale job is dropped here).
  const job = await runStub(env, msg.runId).aiJob(msg.runId, msg.attemptId);
  if (!job.ok || !job.value) return null;
  const def = await loadDefinition(env.DB, job.value.workflowId, job.value.workflowVersion);
  if (!def) return null;
  const step = stepById(def, msg.stepId);
  return step.type === "ai_generate" ? step : null;
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
  const step = await jobStep(env, msg);
  if (!step) return {};
  let result: AiStepResult;
  try {
    result = await generate(env, msg, step, deliveryAttempt);
  } catch (e) {
    if (isTransientAiError(e)) {
      annotateSpan({ "error.type": "provider_unavailable", "scaff.ai.fallback": msg.fallback ?? 0 });
      log.warn("ai provider unavailable; retrying", {
        run_id: msg.runId,
        step_id: msg.stepId,
        error: e.message,
        attempt: deliveryAttempt,
        fallback: msg.fallback ?? 0,
      });
      return { retryAfterSeconds: retryDelaySeconds(deliveryAttempt, e.retryAfterSeconds) };
    }
    const message = e instanceof Error ? e.message : String(e);
    if (!isPermanentAiError(e) && !(e instanceof Error && "code" in e)) throw e;
    result = { status: "failed", code: "ai_failed", message, attempts: [] };
  }
  recordAttemptSpans(msg, result.attempts);
  const stub = runStub(env, msg.runId);
  const applied = await stub.aiResult(msg.runId, msg.attemptId, result, currentTraceparent());
  if (!applied.ok) throw new Error(`run ${msg.runId} refused the AI result: ${applied.error.message}`);
  log.info("ai job done", {
    run_id: msg.runId,
    step_id: msg.stepId,
    status: result.status,
    applied: applied.value.applied,
  });
  return {};
}

/**
 * Dead-lettered AI job: its provider stayed unavailable through every queue retry. The step's next
 * fallback gets the job (with a fresh retry budget); with none left, the step fails.
 */
export async function abandonAiJob(env: Env, msg: AiJobMessage, log?: Logger): Promise<void> {
  const step = await jobStep(env, msg);
  const tier = (msg.fallback ?? 0) + 1;
  const next = step ? aiTargets(step, env.AI_PROVIDER)[tier] : undefined;
  if (next) {
    // The run's object remembers the tier first, so its watchdog re-sends a lost job to the fallback.
    const moved = await runStub(env, msg.runId).aiFallback(msg.runId, msg.attemptId, tier);
    if (moved.ok && !moved.value.applied) return;
    await env.AI_JOBS.send({ ...msg, fallback: tier } satisfies AiJobMessage);
    log?.warn("ai provider gave up; falling back", {
      run_id: msg.runId,
      step_id: msg.stepId,
      to: targetLabel(next),
    });
    return;
  }
  const stub = runStub(env, msg.runId);
  await stub.aiResult(
    msg.runId,
    msg.attemptId,
    {
      status: "failed",
      code: "ai_unavailable",
      message: "The AI provider stayed unavailable through every retry of the queue; the step gave up",
      attempts: [],
    },
    currentTraceparent(),
  );
}
