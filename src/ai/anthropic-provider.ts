/**
 * The `anthropic` AI provider: the Messages API through the official SDK. Structured output is a
 * forced tool call whose `input_schema` is the step's schema (wrapped when its root is not an object):
 * it works with every Claude model and takes any JSON Schema as it is, where the API's native
 * structured-output format only takes a subset on some models. The tool input is the answer; our own
 * validator checks it against the step's schema like every provider's.
 */
import Anthropic from "@anthropic-ai/sdk";
import { mapAnthropicError } from "./anthropic-errors";
import { PermanentAiError } from "./errors";
import type { AiMessage, AiProvider, AiRequest, AiResponse } from "./types";
import { objectRoot, schemaNameFor, unwrapText } from "./wire-schema";

export const DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5";
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";
/** The Messages API needs a limit; an answer that reaches it fails the step (see toResponse). */
export const ANTHROPIC_MAX_TOKENS = 4096;
const DEFAULT_TIMEOUT_MS = 60_000;

export interface AnthropicProviderConfig {
  /** ANTHROPIC_API_KEY; missing: every call fails permanently with a message saying so. */
  apiKey?: string;
  /** ANTHROPIC_BASE_URL (without /v1); default api.anthropic.com. */
  baseURL?: string;
  /** ANTHROPIC_MODEL: used when a step names no model. */
  defaultModel?: string;
  timeoutMs?: number;
  maxTokens?: number;
  fetch?: typeof fetch;
}

type Turn = { role: "user" | "assistant"; content: string };

/** System messages become the `system` parameter; consecutive turns of one role are joined. */
export function toAnthropicMessages(messages: AiMessage[]): { system?: string; turns: Turn[] } {
  const system = messages.filter((m) => m.role === "system").map((m) => m.content);
  const turns: Turn[] = [];
  for (const m of messages) {
    if (m.role === "system") continue;
    const last = turns.at(-1);
    if (last?.role === m.role) last.content = `${last.content}\n\n${m.content}`;
    else turns.push({ role: m.role, content: m.content });
  }
  return { ...(system.length > 0 ? { system: system.join("\n\n") } : {}), turns };
}

/** Builds the Anthropic provider; the SDK client is created per call, never kept between requests. */
export function createAnthropicProvider(config: AnthropicProviderConfig): AiProvider {
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name: "anthropic",
    async generate(req: AiRequest, signal?: AbortSignal): Promise<AiResponse> {
      if (!config.apiKey) {
        throw new PermanentAiError(
          "The provider is anthropic but ANTHROPIC_API_KEY is not set: add it with `wrangler secret put ANTHROPIC_API_KEY` (or to .dev.vars).",
        );
      }
      // Retries belong to the queue (with backoff and a dead-letter queue), so the SDK makes one try.
      const client = new Anthropic({
        apiKey: config.apiKey,
        baseURL: config.baseURL || DEFAULT_ANTHROPIC_BASE_URL,
        timeout: timeoutMs,
        maxRetries: 0,
        ...(config.fetch ? { fetch: config.fetch } : {}),
      });
      const model = req.model || config.defaultModel || DEFAULT_ANTHROPIC_MODEL;
      const root = objectRoot(req.schema);
      const tool = schemaNameFor(req.schemaName);
      const { system, turns } = toAnthropicMessages(req.messages);
      let message: Anthropic.Message;
      try {
        message = await client.messages.create(
          {
            model,
            max_tokens: config.maxTokens ?? ANTHROPIC_MAX_TOKENS,
            ...(system ? { system } : {}),
            messages: turns,
            tools: [
              {
                name: tool,
                description: "Give your answer as this tool's input, valid against its JSON Schema.",
                input_schema: root.schema as Anthropic.Tool.InputSchema,
              },
            ],
            tool_choice: { type: "tool", name: tool },
            ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          },
          signal ? { signal } : undefined,
        );
      } catch (e) {
        throw mapAnthropicError(e, timeoutMs);
      }
      return toResponse(message, model, tool, root.wrapped);
    },
  };
}

function toResponse(message: Anthropic.Message, model: string, tool: string, wrapped: boolean): AiResponse {
  const usage = message.usage;
  const call = message.content.find((b) => b.type === "tool_use" && b.name === tool);
  const prose = message.content
    .map((b) => (b.type === "text" ? b.text : ""))
    .join("")
    .trim();
  const text = call && "input" in call ? unwrapText(JSON.stringify(call.input), wrapped) : prose;
  const response: AiResponse = {
    text,
    model: message.model || model,
    provider: "anthropic",
    tokensPrompt:
      (usage?.input_tokens ?? 0) +
      (usage?.cache_creation_input_tokens ?? 0) +
      (usage?.cache_read_input_tokens ?? 0),
    tokensOutput: usage?.output_tokens ?? 0,
    ...(message.stop_reason ? { finishReason: message.stop_reason } : {}),
  };
  if (message.stop_reason === "refusal") {
    const why = prose ? `: ${prose}` : "";
    throw new PermanentAiError(`The model refused to answer${why}`, { response });
  }
  if (message.stop_reason === "max_tokens" || message.stop_reason === "model_context_window_exceeded") {
    throw new PermanentAiError(
      `The model's answer was cut off at its token limit (stop_reason "${message.stop_reason}"): ask for shorter output.`,
      { response },
    );
  }
  return response;
}
