/**
 * The schema-enforced generation loop the AI queue consumer runs: call the provider, parse the answer,
 * validate it with the shared validator, and on failure re-ask with the invalid answer and its errors,
 * up to `maxRetries` extra attempts. Transient provider errors are thrown (the queue retries the job);
 * permanent ones end the generation as `failed` without a re-ask.
 */
import { compileSchema, type SchemaError } from "../lib/json-schema";
import { PermanentAiError } from "./errors";
import { echoAnswer, parseModelJson, reaskMessage } from "./output";
import type { AiMessage, AiProvider, AiResponse, JsonSchema, MockSettings } from "./types";

/** One provider call, as recorded in run history and `ai.request`/`ai.response` events. */
export interface AiAttemptRecord {
  attempt: number;
  request: { model?: string; messages: AiMessage[] };
  response?: AiResponse;
  /** The parsed answer (also when it failed validation). */
  output?: unknown;
  /** Why the answer was rejected (JSON parse or schema errors). */
  errors?: SchemaError[];
  /** A provider error (transient or permanent). */
  error?: string;
  latencyMs: number;
  startedAt: number;
  finishedAt: number;
}

export type AiGenerateResult =
  | { status: "completed"; output: unknown; attempts: AiAttemptRecord[] }
  | { status: "failed"; message: string; errors: SchemaError[]; attempts: AiAttemptRecord[] };

export interface GenerateInput {
  /** The rendered prompt (rendering is the caller's job). */
  prompt: string;
  system?: string;
  schema: JsonSchema;
  schemaName?: string;
  /** Schema re-asks after the first attempt. */
  maxRetries: number;
  model?: string;
  temperature?: number;
  seedKey: string;
  mock?: MockSettings;
  deliveryAttempt?: number;
}

export interface GenerateOptions {
  now?: () => number;
  /** Called after every attempt (before the next one starts), e.g. to record an event. */
  onAttempt?: (record: AiAttemptRecord) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Runs the loop; see the file comment. Throws TransientAiError (and unexpected errors) for the queue to retry. */
export async function generateWithSchema(
  provider: AiProvider,
  input: GenerateInput,
  opts: GenerateOptions = {},
): Promise<AiGenerateResult> {
  const now = opts.now ?? Date.now;
  const validate = compileSchema(input.schema);
  const maxAttempts = Math.max(0, Math.floor(input.maxRetries)) + 1;
  const messages: AiMessage[] = [];
  if (input.system) messages.push({ role: "system", content: input.system });
  messages.push({ role: "user", content: input.prompt });
  const attempts: AiAttemptRecord[] = [];
  const record = async (rec: AiAttemptRecord) => {
    attempts.push(rec);
    await opts.onAttempt?.(rec);
  };
  let lastErrors: SchemaError[] = [];

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const request = { ...(input.model ? { model: input.model } : {}), messages: [...messages] };
    const startedAt = now();
    let response: AiResponse;
    try {
      response = await provider.generate(
        {
          messages: request.messages,
          schema: input.schema,
          schemaName: input.schemaName,
          model: input.model,
          temperature: input.temperature,
          attempt,
          seedKey: input.seedKey,
          mock: input.mock,
          deliveryAttempt: input.deliveryAttempt,
        },
        opts.signal,
      );
    } catch (e) {
      const finishedAt = now();
      const permanent = e instanceof PermanentAiError;
      await record({
        attempt,
        request,
        ...(permanent && e.response ? { response: e.response } : {}),
        error: e instanceof Error ? e.message : String(e),
        latencyMs: finishedAt - startedAt,
        startedAt,
        finishedAt,
      });
      if (permanent) return { status: "failed", message: e.message, errors: [], attempts };
      throw e;
    }
    const finishedAt = now();
    const parsed = parseModelJson(response.text);
    const verdict = parsed.ok ? validate(parsed.value) : { valid: false as const, errors: [parsed.error] };
    await record({
      attempt,
      request,
      response,
      ...(parsed.ok ? { output: parsed.value } : {}),
      ...(verdict.valid ? {} : { errors: verdict.errors }),
      latencyMs: finishedAt - startedAt,
      startedAt,
      finishedAt,
    });
    if (verdict.valid) return { status: "completed", output: parsed.ok ? parsed.value : null, attempts };
    lastErrors = verdict.errors;
    messages.push({ role: "assistant", content: echoAnswer(response.text) });
    messages.push({ role: "user", content: reaskMessage(verdict.errors) });
  }
  return {
    status: "failed",
    message: `The AI output did not match the schema after ${maxAttempts} attempt${maxAttempts === 1 ? "" : "s"}.`,
    errors: lastErrors,
    attempts,
  };
}
