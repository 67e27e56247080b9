import { SpanKind } from "@opentelemetry/api";
import type { AiAttemptReport } from "../engine/ai-result";
import { recordSpan } from "../telemetry";
import type { AiJobMessage } from "./messages";

/**
 * One client span per provider call of a job, with OpenTelemetry's GenAI attributes (`gen_ai.*`),
 * recorded once the generation loop is over (its records carry the times). Prompts and answers are
 * never put on spans: they may hold personal data.
 */
export function recordAttemptSpans(msg: AiJobMessage, attempts: readonly AiAttemptReport[]): void {
  for (const a of attempts) {
    const { provider, model } = a.meta;
    recordSpan(`chat ${model}`, {
      kind: SpanKind.CLIENT,
      startMs: a.startedAt,
      endMs: a.finishedAt,
      ...(a.error ? { error: a.error.message } : {}),
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": provider,
        "gen_ai.system": provider,
        "gen_ai.request.model": model,
        "gen_ai.response.model": model,
        "gen_ai.usage.input_tokens": a.meta.tokens_prompt,
        "gen_ai.usage.output_tokens": a.meta.tokens_output,
        "error.type": a.error ? (a.error.errors?.length ? "schema_violation" : "ai_error") : undefined,
        "scaff.run_id": msg.runId,
        "scaff.step_id": msg.stepId,
        "scaff.step_type": "ai_generate",
        "scaff.ai.attempt": a.attempt,
        "scaff.ai.cost_usd": a.meta.cost_usd ?? undefined,
        "scaff.ai.fallback_from": a.meta.fallback_from,
      },
    });
  }
}
