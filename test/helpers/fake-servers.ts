/** The test side of the fake servers (test/fakes/): scripting them and reading what they received. */
import { expect, inject } from "vitest";
import type { FakeAnthropicReply } from "../fakes/anthropic-server";
import type { FakeReply } from "../fakes/openai-server";

/** The fake OpenAI server's base URL (append /v1 for the API). */
const openaiBase = inject("openaiUrl");
/** The fake Anthropic server's base URL (the SDK appends /v1). */
const anthropicBase = inject("anthropicUrl");
/** The fake HTTP server api_call steps talk to. */
export const httpServerBase = inject("httpServerUrl");

/** The API key tests give the openai provider (the fake server accepts any and records it). */
export const FAKE_OPENAI_KEY = "sk-test-123";

/** The env bindings that point the openai provider at the fake server. */
export const fakeOpenAiEnv = (): Pick<Env, "AI_PROVIDER" | "OPENAI_API_KEY" | "OPENAI_BASE_URL"> => ({
  AI_PROVIDER: "openai",
  OPENAI_API_KEY: FAKE_OPENAI_KEY,
  OPENAI_BASE_URL: `${openaiBase}/v1`,
});

/** A chat-completions request as the fake OpenAI server recorded it. */
export interface RecordedOpenAiRequest {
  headers: Record<string, string>;
  body: {
    model: string;
    temperature?: number;
    messages: Array<{ role: string; content: string }>;
    response_format: Record<string, unknown>;
  };
}

/** A fresh scenario name: requests whose model is this name get its scripted replies. */
export const newScenario = (): string => `scn-${crypto.randomUUID()}`;

async function script(base: string, scenario: string, replies: unknown[]): Promise<void> {
  const res = await fetch(`${base}/__script`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ scenario, replies }),
  });
  expect(res.status).toBe(200);
}

async function recorded<T>(base: string, scenario: string): Promise<T[]> {
  const res = await fetch(`${base}/__requests?scenario=${encodeURIComponent(scenario)}`);
  return ((await res.json()) as { requests: T[] }).requests;
}

/** Queues the fake OpenAI server's replies for `scenario`, in order. */
export const scriptOpenAi = (scenario: string, replies: FakeReply[]): Promise<void> =>
  script(openaiBase, scenario, replies);

/** Every chat-completions request the fake OpenAI server received for `scenario`, in order. */
export const openAiRequests = (scenario: string): Promise<RecordedOpenAiRequest[]> =>
  recorded(openaiBase, scenario);

/** The API key tests give the anthropic provider. */
export const FAKE_ANTHROPIC_KEY = "sk-ant-test-123";

/** The env bindings that point the anthropic provider at the fake server. */
export const fakeAnthropicEnv = (): Pick<
  Env,
  "AI_PROVIDER" | "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL"
> => ({
  AI_PROVIDER: "anthropic",
  ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
  ANTHROPIC_BASE_URL: anthropicBase,
});

/** A Messages API request as the fake Anthropic server recorded it. */
export interface RecordedAnthropicRequest {
  headers: Record<string, string>;
  body: {
    model: string;
    max_tokens: number;
    system?: string;
    temperature?: number;
    messages: Array<{ role: string; content: string }>;
    tools: Array<{ name: string; input_schema: Record<string, unknown> }>;
    tool_choice: { type: string; name: string };
  };
}

/** Queues the fake Anthropic server's replies for `scenario`, in order. */
export const scriptAnthropic = (scenario: string, replies: FakeAnthropicReply[]): Promise<void> =>
  script(anthropicBase, scenario, replies);

/** Every Messages request the fake Anthropic server received for `scenario`, in order. */
export const anthropicRequests = (scenario: string): Promise<RecordedAnthropicRequest[]> =>
  recorded(anthropicBase, scenario);

/** How many requests the fake HTTP server counted under `key`. */
export async function httpHits(key: string): Promise<number> {
  const res = await fetch(`${httpServerBase}/__hits/${encodeURIComponent(key)}`);
  return ((await res.json()) as { hits: number }).hits;
}
