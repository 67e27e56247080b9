/**
 * The `openai` AI provider: Chat Completions through the official SDK, against api.openai.com or any
 * OpenAI-compatible endpoint (OPENAI_BASE_URL). The schema goes as `response_format: json_schema` with
 * `strict: true`, transformed into the strict subset (strict-transform.ts); a schema that cannot be
 * made strict goes in JSON mode (`json_object`) with the schema in a system message. Our own validator
 * checks every answer against the original schema either way.
 */
import OpenAI from "openai";
import { PermanentAiError } from "./errors";
import { mapOpenAiError } from "./openai-errors";
import { toStrictSchema } from "./strict-transform";
import type { AiMessage, AiProvider, AiRequest, AiResponse, JsonSchema } from "./types";
import { objectRoot, schemaNameFor, unwrapText } from "./wire-schema";

export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
const DEFAULT_TIMEOUT_MS = 60_000;

export interface OpenAiProviderConfig {
  /** OPENAI_API_KEY; missing: every call fails permanently with a message saying so. */
  apiKey?: string;
  /** OPENAI_BASE_URL, e.g. `http://127.0.0.1:11434/v1`; default api.openai.com. */
  baseURL?: string;
  /** OPENAI_MODEL: used when a step names no model. */
  defaultModel?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

type ResponseFormat =
  | { type: "json_object" }
  | { type: "json_schema"; json_schema: { name: string; schema: Record<string, unknown>; strict: true } };

/** A request's messages and response_format; `wrapped` when the answer comes as `{value: ...}`. */
export interface RequestShape {
  messages: AiMessage[];
  response_format: ResponseFormat;
  wrapped: boolean;
}

/** What is sent for a schema: strict json_schema when it can be made strict, else JSON mode plus instructions. */
export function requestShape(messages: AiMessage[], schema: JsonSchema, schemaName?: string): RequestShape {
  const root = objectRoot(schema);
  const strict = toStrictSchema(root.schema);
  if (strict.ok) {
    return {
      messages,
      response_format: {
        type: "json_schema",
        json_schema: { name: schemaNameFor(schemaName), schema: strict.schema, strict: true },
      },
      wrapped: root.wrapped,
    };
  }
  // JSON mode requires the word "JSON" in the conversation; the schema itself tells the model the shape.
  const instruction: AiMessage = {
    role: "system",
    content: `Answer with a single JSON value (no prose, no code fences) that is valid against this JSON Schema:\n${JSON.stringify(schema)}`,
  };
  const firstNonSystem = messages.findIndex((m) => m.role !== "system");
  const at = firstNonSystem < 0 ? messages.length : firstNonSystem;
  return {
    messages: [...messages.slice(0, at), instruction, ...messages.slice(at)],
    response_format: { type: "json_object" },
    wrapped: false,
  };
}

/** Builds the OpenAI provider; the SDK client is created per call, never kept between requests. */
export function createOpenAiProvider(config: OpenAiProviderConfig): AiProvider {
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name: "openai",
    async generate(req: AiRequest, signal?: AbortSignal): Promise<AiResponse> {
      if (!config.apiKey) {
        throw new PermanentAiError(
          "AI_PROVIDER is openai but OPENAI_API_KEY is not set: add it with `wrangler secret put OPENAI_API_KEY` (or to .dev.vars).",
        );
      }
      // Retries belong to the queue (with backoff and a dead-letter queue), so the SDK makes one try.
      const client = new OpenAI({
        apiKey: config.apiKey,
        baseURL: config.baseURL || DEFAULT_OPENAI_BASE_URL,
        timeout: timeoutMs,
        maxRetries: 0,
        ...(config.fetch ? { fetch: config.fetch } : {}),
      });
      const model = req.model || config.defaultModel || DEFAULT_OPENAI_MODEL;
      const shape = requestShape(req.messages, req.schema, req.schemaName);
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await client.chat.completions.create(
          {
            model,
            messages: shape.messages,
            response_format: shape.response_format,
            ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          },
          signal ? { signal } : undefined,
        );
      } catch (e) {
        throw mapOpenAiError(e, timeoutMs);
      }
      const response = toResponse(completion, model);
      return { ...response, text: unwrapText(response.text, shape.wrapped) };
    },
  };
}

function toResponse(completion: OpenAI.Chat.Completions.ChatCompletion, requestedModel: string): AiResponse {
  const choice = completion.choices[0];
  const response: AiResponse = {
    text: choice?.message.content ?? "",
    model: completion.model || requestedModel,
    provider: "openai",
    tokensPrompt: completion.usage?.prompt_tokens ?? 0,
    tokensOutput: completion.usage?.completion_tokens ?? 0,
    ...(choice?.finish_reason ? { finishReason: choice.finish_reason } : {}),
  };
  if (!choice) throw new PermanentAiError("OpenAI returned no choices.", { response });
  if (choice.message.refusal) {
    throw new PermanentAiError(`The model refused to answer: ${choice.message.refusal}`, { response });
  }
  if (choice.finish_reason === "length") {
    throw new PermanentAiError(
      'The model\'s answer was cut off at its token limit (finish_reason "length"): ask for shorter output.',
      { response },
    );
  }
  if (choice.finish_reason === "content_filter") {
    throw new PermanentAiError(
      'The answer was blocked by the content filter (finish_reason "content_filter").',
      {
        response,
      },
    );
  }
  return response;
}
