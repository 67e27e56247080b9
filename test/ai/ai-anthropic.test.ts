import { describe, expect, it } from "vitest";
import { toAnthropicMessages } from "../../src/ai/anthropic-provider";
import { PermanentAiError, TransientAiError } from "../../src/ai/errors";
import { generateWithSchema } from "../../src/ai/generate";
import { createAiProvider } from "../../src/ai/provider-factory";
import type { AiProvider, JsonSchema } from "../../src/ai/types";
import {
  anthropicRequests,
  FAKE_ANTHROPIC_KEY,
  fakeAnthropicEnv,
  newScenario,
  scriptAnthropic,
} from "../helpers/fake-servers";

const reviewSchema: JsonSchema = {
  type: "object",
  required: ["verdict", "reasons"],
  properties: {
    verdict: { type: "string", enum: ["accept", "reject"] },
    reasons: { type: "array", items: { type: "string", maxLength: 40 }, minItems: 1 },
  },
};

const anthropic = (over: Record<string, string> = {}): AiProvider =>
  createAiProvider({ ...fakeAnthropicEnv(), ...over });

const input = (model: string, schema: JsonSchema = reviewSchema, maxRetries = 2) => ({
  prompt: "Review this pull request.",
  system: "You are a strict reviewer.",
  schema,
  schemaName: "review",
  maxRetries,
  model,
  temperature: 0,
});

const overloaded = {
  status: 529,
  body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
};

describe("anthropic provider over HTTP (real SDK, fake server)", () => {
  it("answers through a forced tool call whose input_schema is the step's schema, re-asking with errors", async () => {
    const scenario = newScenario();
    await scriptAnthropic(scenario, [
      { tool: { verdict: "maybe", reasons: [] }, usage: { input_tokens: 100, output_tokens: 20 } },
      { tool: { verdict: "reject", reasons: ["no tests"] }, usage: { input_tokens: 180, output_tokens: 22 } },
    ]);
    const result = await generateWithSchema(anthropic(), input(scenario));
    expect(result).toMatchObject({
      status: "completed",
      output: { verdict: "reject", reasons: ["no tests"] },
    });
    expect(result.attempts[0]?.response).toMatchObject({
      provider: "anthropic",
      model: scenario,
      tokensPrompt: 100,
      tokensOutput: 20,
      finishReason: "tool_use",
    });
    expect(result.attempts[0]?.errors?.map((e) => e.path).sort()).toEqual(["/reasons", "/verdict"]);

    const [first, second] = await anthropicRequests(scenario);
    expect(first?.headers["x-api-key"] ?? first?.headers.authorization).toContain(FAKE_ANTHROPIC_KEY);
    expect(first?.body).toMatchObject({
      model: scenario,
      system: "You are a strict reviewer.",
      temperature: 0,
      messages: [{ role: "user", content: "Review this pull request." }],
      tool_choice: { type: "tool", name: "review" },
    });
    expect(first?.body.max_tokens).toBeGreaterThan(0);
    expect(first?.body.tools[0]).toMatchObject({ name: "review", input_schema: reviewSchema });
    const reask = second?.body.messages ?? [];
    expect(reask.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(reask[2]?.content).toContain("/verdict (enum)");
  });

  it("fails on a max_tokens stop without a re-ask, keeping the tokens it cost", async () => {
    const scenario = newScenario();
    await scriptAnthropic(scenario, [
      {
        tool: { verdict: "accept" },
        stop_reason: "max_tokens",
        usage: { input_tokens: 50, output_tokens: 4096 },
      },
      { tool: { verdict: "accept", reasons: ["fine"] } },
    ]);
    const result = await generateWithSchema(anthropic(), input(scenario));
    expect(result.status).toBe("failed");
    if (result.status === "failed") expect(result.message).toMatch(/cut off.*max_tokens/);
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]?.response).toMatchObject({ tokensPrompt: 50, tokensOutput: 4096 });
    expect(await anthropicRequests(scenario)).toHaveLength(1);
  });

  it("fails permanently on a refusal", async () => {
    const scenario = newScenario();
    await scriptAnthropic(scenario, [{ text: "I won't review this.", stop_reason: "refusal" }]);
    const result = await generateWithSchema(anthropic(), input(scenario));
    expect(result.status).toBe("failed");
    if (result.status === "failed")
      expect(result.message).toContain("refused to answer: I won't review this.");
    expect(await anthropicRequests(scenario)).toHaveLength(1);
  });

  it("maps 529 overloaded and 429 to TransientAiError (with retry-after), other 4xx to permanent", async () => {
    const scenario = newScenario();
    await scriptAnthropic(scenario, [
      { ...overloaded, headers: { "retry-after": "9" } },
      { status: 429, body: { type: "error", error: { type: "rate_limit_error", message: "slow down" } } },
      { status: 400, body: { type: "error", error: { type: "invalid_request_error", message: "bad tool" } } },
    ]);
    const req = {
      messages: [{ role: "user" as const, content: "x" }],
      schema: reviewSchema,
      model: scenario,
    };
    const busy = await anthropic()
      .generate(req)
      .catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(TransientAiError);
    expect(busy).toMatchObject({ status: 529, retryAfterSeconds: 9 });
    expect((busy as Error).message).toContain("Overloaded");
    await expect(anthropic().generate(req)).rejects.toMatchObject({ name: "TransientAiError", status: 429 });
    const bad = await anthropic()
      .generate(req)
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(PermanentAiError);
    expect((bad as Error).message).toContain("bad tool");
  });

  it("maps an unreachable endpoint to TransientAiError", async () => {
    const error = await anthropic({ ANTHROPIC_BASE_URL: "http://127.0.0.1:9" })
      .generate({ messages: [{ role: "user", content: "x" }], schema: reviewSchema })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientAiError);
    expect((error as Error).message).toContain("Could not reach the Anthropic API");
  });

  it("sends a schema whose root is not an object wrapped, and unwraps the answer", async () => {
    const scenario = newScenario();
    const tags: JsonSchema = { type: "array", items: { type: "string" }, maxItems: 3 };
    await scriptAnthropic(scenario, [{ tool: { value: ["queues", "retries"] } }]);
    const result = await generateWithSchema(anthropic(), input(scenario, tags));
    expect(result).toMatchObject({ status: "completed", output: ["queues", "retries"] });
    const [request] = await anthropicRequests(scenario);
    expect(request?.body.tools[0]?.input_schema).toEqual({
      type: "object",
      properties: { value: tags },
      required: ["value"],
      additionalProperties: false,
    });
  });

  it("uses ANTHROPIC_MODEL when the step names no model, and fails clearly without ANTHROPIC_API_KEY", async () => {
    const scenario = newScenario();
    await scriptAnthropic(scenario, [{ tool: { verdict: "accept", reasons: ["ok"] } }]);
    const { model: _none, ...noModel } = input(scenario);
    const result = await generateWithSchema(anthropic({ ANTHROPIC_MODEL: scenario }), noModel);
    expect(result.status).toBe("completed");
    const missing = await generateWithSchema(anthropic({ ANTHROPIC_API_KEY: "" }), input(scenario));
    expect(missing.status).toBe("failed");
    if (missing.status === "failed") expect(missing.message).toContain("ANTHROPIC_API_KEY is not set");
    expect(await anthropicRequests(scenario)).toHaveLength(1);
  });

  it("turns system messages into `system` and joins consecutive turns of one role", () => {
    expect(
      toAnthropicMessages([
        { role: "system", content: "a" },
        { role: "system", content: "b" },
        { role: "user", content: "u1" },
        { role: "user", content: "u2" },
      ]),
    ).toEqual({ system: "a\n\nb", turns: [{ role: "user", content: "u1\n\nu2" }] });
  });
});
