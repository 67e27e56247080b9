/** The test side of the fake servers (test/fakes/): scripting them and reading what they received. */
import { expect, inject } from "vitest";
import type { FakeReply } from "../fakes/openai-server";

/** The fake OpenAI server's base URL (append /v1 for the API). */
const openaiBase = inject("openaiUrl");
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

/** Queues the fake OpenAI server's replies for `scenario`, in order. */
export async function scriptOpenAi(scenario: string, replies: FakeReply[]): Promise<void> {
  const res = await fetch(`${openaiBase}/__script`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ scenario, replies }),
  });
  expect(res.status).toBe(200);
}

/** Every chat-completions request the fake OpenAI server received for `scenario`, in order. */
export async function openAiRequests(scenario: string): Promise<RecordedOpenAiRequest[]> {
  const res = await fetch(`${openaiBase}/__requests?scenario=${encodeURIComponent(scenario)}`);
  return ((await res.json()) as { requests: RecordedOpenAiRequest[] }).requests;
}

/** How many requests the fake HTTP server counted under `key`. */
export async function httpHits(key: string): Promise<number> {
  const res = await fetch(`${httpServerBase}/__hits/${encodeURIComponent(key)}`);
  return ((await res.json()) as { hits: number }).hits;
}
