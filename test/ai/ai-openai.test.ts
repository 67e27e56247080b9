import { describe, expect, it } from "vitest";
import { PermanentAiError, TransientAiError } from "../../src/ai/errors";
import { generateWithSchema } from "../../src/ai/generate";
import { createAiProvider } from "../../src/ai/provider-factory";
import type { AiProvider, JsonSchema } from "../../src/ai/types";
import { strictArticleSchema } from "../fixtures/schemas/strict";
import {
  FAKE_OPENAI_KEY,
  fakeOpenAiEnv,
  newScenario,
  openAiRequests,
  scriptOpenAi,
} from "../helpers/fake-servers";

/** The value at a path of keys in a plain JSON value. */
const at = (v: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], v);

const articleSchema = strictArticleSchema;
/** Cannot be made strict at all: patternProperties has no strict equivalent. */
const mapSchema: JsonSchema = {
  type: "object",
  required: ["summary"],
  properties: { summary: { type: "string" } },
  patternProperties: { "^x-": { type: "string" } },
};
/** A step author's schema: string limits and a format strict mode lacks, an optional property. */
const limitedSchema: JsonSchema = {
  type: "object",
  required: ["title", "link"],
  properties: {
    title: { type: "string", minLength: 3, maxLength: 12 },
    link: { type: "string", format: "uri" },
    note: { type: "string" },
  },
};

const openai = (over: Record<string, string> = {}, timeoutMs?: number): AiProvider =>
  createAiProvider({ ...fakeOpenAiEnv(), ...over }, timeoutMs === undefined ? {} : { openai: { timeoutMs } });

const input = (model: string, schema: JsonSchema = articleSchema, maxRetries = 2) => ({
  prompt: "Write an article about queues.",
  system: "You are a precise technical writer.",
  schema,
  maxRetries,
  model,
  temperature: 0.2,
});

const valid = { title: "Queues in practice", score: 88, tags: ["howto"] };

describe("openai provider over HTTP (real SDK, fake server)", () => {
  it("re-asks with the validation errors and completes with the valid second answer", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [
      {
        json: { title: 42, score: 88, tags: ["howto"] },
        usage: { prompt_tokens: 120, completion_tokens: 15 },
      },
      { json: valid, usage: { prompt_tokens: 210, completion_tokens: 18 } },
    ]);
    const result = await generateWithSchema(openai(), input(scenario));
    expect(result).toMatchObject({ status: "completed", output: valid });
    expect(result.attempts.map((a) => [a.response?.tokensPrompt, a.response?.tokensOutput])).toEqual([
      [120, 15],
      [210, 18],
    ]);
    expect(result.attempts[0]?.response).toMatchObject({
      provider: "openai",
      model: scenario,
      finishReason: "stop",
    });
    expect(result.attempts[0]?.errors).toEqual([
      expect.objectContaining({ path: "/title", keyword: "type" }),
    ]);

    const [first, second] = await openAiRequests(scenario);
    expect(first?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_KEY}`);
    expect(first?.body.model).toBe(scenario);
    expect(first?.body.temperature).toBe(0.2);
    expect(first?.body.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "output", schema: articleSchema, strict: true },
    });
    expect(first?.body.messages).toEqual([
      { role: "system", content: "You are a precise technical writer." },
      { role: "user", content: "Write an article about queues." },
    ]);
    const messages = second?.body.messages ?? [];
    expect(messages).toHaveLength(4);
    expect(messages[2]).toEqual({
      role: "assistant",
      content: JSON.stringify({ title: 42, score: 88, tags: ["howto"] }),
    });
    expect(messages[3]?.role).toBe("user");
    expect(messages[3]?.content).toContain("/title (type)");
    expect(messages[3]?.content).toContain(result.attempts[0]?.errors?.[0]?.message);
  });

  it("fails with the last errors when every answer violates the schema", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [{ json: { title: "t" } }, { content: "I think the answer is: title t" }]);
    const result = await generateWithSchema(openai(), input(scenario, articleSchema, 1));
    expect(result.status).toBe("failed");
    if (result.status !== "failed") return;
    expect(result.attempts).toHaveLength(2);
    expect(result.attempts[0]?.errors?.map((e) => e.path).sort()).toEqual(["/score", "/tags"]);
    expect(result.errors).toEqual([expect.objectContaining({ path: "", keyword: "json" })]);
    expect(await openAiRequests(scenario)).toHaveLength(2);
  });

  it("sends minLength/maxLength/format as strict json_schema and re-asks when the answer breaks maxLength", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [
      // Fits the strict schema (maxLength is only described there) but not the step's schema.
      { json: { title: "A title far too long", link: "https://a.test/q", note: null } },
      { json: { title: "Queues", link: "https://a.test/q", note: null } },
    ]);
    const result = await generateWithSchema(openai(), input(scenario, limitedSchema));
    // The null standing for the absent `note` is gone before the original schema validates the answer.
    expect(result).toMatchObject({
      status: "completed",
      output: { title: "Queues", link: "https://a.test/q" },
    });
    if (result.status === "completed") expect(result.output).not.toHaveProperty("note");
    expect(result.attempts[0]?.errors).toEqual([
      expect.objectContaining({ path: "/title", keyword: "maxLength" }),
    ]);
    const [first, second] = await openAiRequests(scenario);
    const format = first?.body.response_format as {
      type: string;
      json_schema: { strict: boolean; schema: unknown };
    };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema.strict).toBe(true);
    const sent = format.json_schema.schema;
    expect(at(sent, "required")).toEqual(["title", "link", "note"]);
    expect(at(sent, "additionalProperties")).toBe(false);
    expect(at(sent, "properties", "title")).toEqual({
      type: "string",
      description: "(minLength: 3, maxLength: 12)",
    });
    expect(at(sent, "properties", "link")).toEqual({ type: "string", description: '(format: "uri")' });
    expect(at(sent, "properties", "note")).toEqual({ type: ["string", "null"] });
    const reask = second?.body.messages.at(-1)?.content ?? "";
    expect(reask).toContain("/title (maxLength)");
  });

  it("sends a schema that cannot be made strict in JSON mode with the schema in a system message, and accepts fenced JSON", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [{ content: '```json\n{"summary": "Queues decouple producers."}\n```' }]);
    const result = await generateWithSchema(openai(), input(scenario, mapSchema));
    expect(result).toMatchObject({ status: "completed", output: { summary: "Queues decouple producers." } });
    const [request] = await openAiRequests(scenario);
    expect(request?.body.response_format).toEqual({ type: "json_object" });
    const system = request?.body.messages.filter((m) => m.role === "system") ?? [];
    expect(system[0]?.content).toBe("You are a precise technical writer.");
    expect(system[1]?.content).toContain("JSON");
    expect(system[1]?.content).toContain(JSON.stringify(mapSchema));
    expect(request?.body.messages.at(-1)).toEqual({
      role: "user",
      content: "Write an article about queues.",
    });
  });

  it("uses OPENAI_MODEL when the step names no model", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [{ json: valid }]);
    const { model: _none, ...noModel } = input(scenario);
    const result = await generateWithSchema(openai({ OPENAI_MODEL: scenario }), noModel);
    expect(result.status).toBe("completed");
    expect((await openAiRequests(scenario))[0]?.body.model).toBe(scenario);
  });

  it("throws TransientAiError on a 500 (for the queue to retry) without re-asking", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [{ status: 500 }]);
    const error = await generateWithSchema(openai(), input(scenario)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientAiError);
    expect((error as TransientAiError).status).toBe(500);
    expect(await openAiRequests(scenario)).toHaveLength(1);
  });

  it("throws TransientAiError with retryAfterSeconds on a 429 with retry-after", async () => {
    const scenario = newScenario();
    const rateLimited = {
      error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" },
    };
    await scriptOpenAi(scenario, [{ status: 429, headers: { "retry-after": "7" }, body: rateLimited }]);
    const error = await openai()
      .generate({
        messages: [{ role: "user", content: "hi" }],
        schema: articleSchema,
        model: scenario,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientAiError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 7 });
    expect((error as Error).message).toContain("Rate limit reached");
  });

  it("fails permanently on an exhausted quota (429 insufficient_quota) and other 4xx", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [
      {
        status: 429,
        body: { error: { message: "You exceeded your current quota", code: "insufficient_quota" } },
      },
      {
        status: 400,
        body: { error: { message: "Invalid schema for response_format", code: "invalid_schema" } },
      },
    ]);
    const quota = await generateWithSchema(openai(), input(scenario));
    expect(quota).toMatchObject({ status: "failed", errors: [] });
    if (quota.status === "failed") expect(quota.message).toContain("quota");
    const bad = await generateWithSchema(openai(), input(scenario));
    expect(bad.status).toBe("failed");
    if (bad.status === "failed") expect(bad.message).toContain("Invalid schema for response_format");
    expect(await openAiRequests(scenario)).toHaveLength(2);
  });

  it("fails permanently on a refusal, without a re-ask, keeping the tokens it cost", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [
      { refusal: "I can't help with that.", usage: { prompt_tokens: 50, completion_tokens: 7 } },
      { json: valid },
    ]);
    const result = await generateWithSchema(openai(), input(scenario));
    expect(result.status).toBe("failed");
    if (result.status !== "failed") return;
    expect(result.message).toContain("I can't help with that.");
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]?.response).toMatchObject({ tokensPrompt: 50, tokensOutput: 7 });
    expect(await openAiRequests(scenario)).toHaveLength(1);
  });

  it("fails permanently when the answer was cut off (finish_reason length) or filtered", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [
      { content: '{"title": "Queues in', finish_reason: "length" },
      { content: "", finish_reason: "content_filter" },
    ]);
    const cut = await generateWithSchema(openai(), input(scenario));
    expect(cut).toMatchObject({ status: "failed" });
    if (cut.status === "failed") expect(cut.message).toMatch(/cut off.*length/);
    expect(cut.attempts).toHaveLength(1);
    const filtered = await openai()
      .generate({
        messages: [{ role: "user", content: "x" }],
        schema: articleSchema,
        model: scenario,
      })
      .catch((e: unknown) => e);
    expect(filtered).toBeInstanceOf(PermanentAiError);
    expect((filtered as Error).message).toContain("content_filter");
  });

  it("maps a timeout and an unreachable endpoint to TransientAiError", async () => {
    const scenario = newScenario();
    await scriptOpenAi(scenario, [{ json: valid, delayMs: 1500 }]);
    const req = {
      messages: [{ role: "user" as const, content: "x" }],
      schema: articleSchema,
    };
    const slow = await openai({}, 200)
      .generate({ ...req, model: scenario })
      .catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(TransientAiError);
    expect((slow as Error).message).toContain("timed out");
    const down = await openai({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1" })
      .generate({ ...req, model: "gpt-4o-mini" })
      .catch((e: unknown) => e);
    expect(down).toBeInstanceOf(TransientAiError);
    expect((down as Error).message).toContain("Could not reach the OpenAI API");
  });

  it("fails with a clear message when OPENAI_API_KEY is missing, before any request", async () => {
    const scenario = newScenario();
    const result = await generateWithSchema(openai({ OPENAI_API_KEY: "" }), input(scenario));
    expect(result.status).toBe("failed");
    if (result.status === "failed") expect(result.message).toContain("OPENAI_API_KEY is not set");
    expect(await openAiRequests(scenario)).toHaveLength(0);
  });
});
