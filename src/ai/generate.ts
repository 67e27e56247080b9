/**
 * The schema-enforced generation loop the AI queue consumer runs: call the provider, parse the answer,
 * validate it with the shared validator, and on failure re-ask with the invalid answer and its errors,
 * up to `maxRetries` extra attempts. Transient provider errors are thrown (the queue retries the job);
 * permanent ones end the generation as `failed` without a re-ask.
 */
import { compileSchema, type SchemaError, type SchemaValidator } from "../lib/json-schema";
import { PermanentAiError } from "./errors";
import { echoAnswer, parseModelJson, reaskMessage } from "./output";
import { dropAbsentNulls } from "./strict-nulls";
import type { AiMessage, AiProvider, AiResponse, JsonSchema } from "./types";

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
}

export interface GenerateOptions {
  now?: () => number;
  /** Called after every attempt (before the next one starts), e.g. to record an event. */
  onAttempt?: (record: AiAttemptRecord) => void | Promise<void>;
  signal?: AbortSignal;
}

/** What one provider call came to, with its record. */
type Asked =
  | { kind: "valid"; record: AiAttemptRecord; output: unknown }
  | { kind: "invalid"; record: AiAttemptRecord; errors: SchemaError[]; text: string }
  | { kind: "permanent"; record: AiAttemptRecord; message: string }
  | { kind: "thrown"; record: AiAttemptRecord; error: unknown };

/** Runs the loop; see the file comment. Throws TransientAiError (and unexpected errors) for the queue to retry. */
export async function generateWithSchema(
  provider: AiProvider,
  input: GenerateInput,
  opts: GenerateOptions = {},
): Promise<AiGenerateResult> {
  const ask: Asker = {
    provider,
    input,
    validate: compileSchema(input.schema),
    now: opts.now ?? Date.now,
    signal: opts.signal,
  };
  const maxAttempts = Math.max(0, Math.floor(input.maxRetries)) + 1;
  const messages: AiMessage[] = [];
  if (input.system) messages.push({ role: "system", content: input.system });
  messages.push({ role: "user", content: input.prompt });
  const attempts: AiAttemptRecord[] = [];
  let lastErrors: SchemaError[] = [];

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const asked = await askOnce(ask, attempt, [...messages]);
    attempts.push(asked.record);
    await opts.onAttempt?.(asked.record);
    if (asked.kind === "thrown") throw asked.error;
    if (asked.kind === "permanent") return { status: "failed", message: asked.message, errors: [], attempts };
    if (asked.kind === "valid") return { status: "completed", output: asked.output, attempts };
    lastErrors = asked.errors;
    messages.push({ role: "assistant", content: echoAnswer(asked.text) });
    messages.push({ role: "user", content: reaskMessage(asked.errors) });
  }
  return {
    status: "failed",
    message: `The AI output did not match the schema after ${maxAttempts} attempt${maxAttempts === 1 ? "" : "s"}.`,
    errors: lastErrors,
    attempts,
  };
}

/** What every attempt of one generation shares. */
interface Asker {
  provider: AiProvider;
  input: GenerateInput;
  validate: SchemaValidator;
  now: () => number;
  signal?: AbortSignal;
}

/** One provider call with `messages`, its answer parsed and validated; provider errors are returned, not thrown. */
async function askOnce(ask: Asker, attempt: number, messages: AiMessage[]): Promise<Asked> {
  const { input, now } = ask;
  const request = { ...(input.model ? { model: input.model } : {}), messages };
  const startedAt = now();
  const timing = () => {
    const finishedAt = now();
    return { latencyMs: finishedAt - startedAt, startedAt, finishedAt };
  };
  let response: AiResponse;
  try {
    response = await ask.provider.generate(
      {
        messages,
        schema: input.schema,
        schemaName: input.schemaName,
        model: input.model,
        temperature: input.temperature,
      },
      ask.signal,
    );
  } catch (e) {
    const permanent = e instanceof PermanentAiError;
    const record: AiAttemptRecord = {
      attempt,
      request,
      ...(permanent && e.response ? { response: e.response } : {}),
      error: e instanceof Error ? e.message : String(e),
      ...timing(),
    };
    return permanent
      ? { kind: "permanent", record, message: e.message }
      : { kind: "thrown", record, error: e };
  }
  const times = timing();
  const read = parseModelJson(response.text);
  // Nulls a strict schema made the model give for absent properties are not part of the answer.
  const parsed = read.ok ? { ok: true as const, value: dropAbsentNulls(read.value, input.schema) } : read;
  const verdict = parsed.ok ? ask.validate(parsed.value) : { valid: false as const, errors: [parsed.error] };
  const record: AiAttemptRecord = {
    attempt,
    request,
    response,
    ...(parsed.ok ? { output: parsed.value } : {}),
    ...(verdict.valid ? {} : { errors: verdict.errors }),
    ...times,
  };
  if (verdict.valid) return { kind: "valid", record, output: parsed.ok ? parsed.value : null };
  return { kind: "invalid", record, errors: verdict.errors, text: response.text };
}
