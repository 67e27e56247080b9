import { describe, expect, it } from "vitest";
import { TransientAiError } from "../../src/ai/errors";
import { generateWithSchema } from "../../src/ai/generate";
import type { MockSettings } from "../../src/ai/mock-provider";
import { createAiProvider } from "../../src/ai/provider-factory";
import type { AiProvider, JsonSchema } from "../../src/ai/types";
import { compileSchema } from "../../src/lib/json-schema";
import type { FakeAnthropicReply } from "../fakes/anthropic-server";
import type { FakeReply } from "../fakes/openai-server";
import { fakeAnthropicEnv, fakeOpenAiEnv, scriptAnthropic, scriptOpenAi } from "../helpers/fake-servers";

// One contract, run against every AI provider: what the generation loop relies on.

const schema: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["title", "score"],
  properties: {
    title: { type: "string", maxLength: 40 },
    score: { type: "integer", minimum: 0, maximum: 10 },
  },
};

/** How to make a provider behave in a given way for one request. */
interface Arranged {
  provider: AiProvider;
  model?: string;
}

interface Adapter {
  name: string;
  valid(): Promise<Arranged>;
  invalidThenValid(): Promise<Arranged>;
  transient(): Promise<Arranged>;
}

async function scripted(replies: FakeReply[]): Promise<Arranged> {
  const scenario = `contract-${crypto.randomUUID().slice(0, 8)}`;
  await scriptOpenAi(scenario, replies);
  const provider = createAiProvider(fakeOpenAiEnv());
  return { provider, model: scenario };
}

async function scriptedAnthropic(replies: FakeAnthropicReply[]): Promise<Arranged> {
  const scenario = `contract-${crypto.randomUUID().slice(0, 8)}`;
  await scriptAnthropic(scenario, replies);
  return { provider: createAiProvider(fakeAnthropicEnv()), model: scenario };
}

/** The mock built for a queue job whose step sets `mock`, as the AI consumer builds it. */
const mockProvider = (mock?: MockSettings) =>
  createAiProvider(
    { AI_PROVIDER: "mock", MOCK_AI_SEED: "contract" },
    { job: { key: "run_contract:step:1", deliveryAttempt: 1, step: mock ? { mock } : {} } },
  );

const adapters: Adapter[] = [
  {
    name: "mock",
    valid: async () => ({ provider: mockProvider() }),
    invalidThenValid: async () => ({ provider: mockProvider({ mode: "schema_violation", failures: 1 }) }),
    transient: async () => ({ provider: mockProvider({ mode: "transient_error", failures: 1 }) }),
  },
  {
    name: "openai",
    valid: () =>
      scripted([{ json: { title: "Ok", score: 3 }, usage: { prompt_tokens: 12, completion_tokens: 5 } }]),
    invalidThenValid: () =>
      scripted([{ json: { title: "Ok", score: 99 } }, { json: { title: "Ok", score: 9 } }]),
    transient: () => scripted([{ status: 503, body: { error: { message: "busy", type: "server_error" } } }]),
  },
  {
    name: "anthropic",
    valid: () =>
      scriptedAnthropic([{ tool: { title: "Ok", score: 3 }, usage: { input_tokens: 12, output_tokens: 5 } }]),
    invalidThenValid: () =>
      scriptedAnthropic([{ tool: { title: "Ok", score: 99 } }, { tool: { title: "Ok", score: 9 } }]),
    transient: () =>
      scriptedAnthropic([
        { status: 529, body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } },
      ]),
  },
];

const input = (a: Arranged) => ({
  prompt: "Rate this.",
  schema,
  maxRetries: 2,
  ...(a.model ? { model: a.model } : {}),
});

describe.each(adapters)("AI provider contract: $name", (adapter) => {
  it("answers with text, its model, its own name and whole token counts", async () => {
    const a = await adapter.valid();
    const res = await a.provider.generate({
      messages: [{ role: "user", content: "Rate this." }],
      schema,
      ...(a.model ? { model: a.model } : {}),
    });
    expect(res.provider).toBe(a.provider.name);
    expect(res.model.length).toBeGreaterThan(0);
    for (const n of [res.tokensPrompt, res.tokensOutput]) {
      expect(Number.isInteger(n) && n >= 0).toBe(true);
    }
    expect(compileSchema(schema)(JSON.parse(res.text))).toEqual({ valid: true });
  });

  it("is driven to schema-valid output by the re-ask loop", async () => {
    const a = await adapter.invalidThenValid();
    const result = await generateWithSchema(a.provider, input(a));
    expect(result.status).toBe("completed");
    expect(result.attempts).toHaveLength(2);
    expect(result.attempts[0]?.errors?.length).toBeGreaterThan(0);
    expect(result.attempts[1]?.errors).toBeUndefined();
    if (result.status === "completed") expect(compileSchema(schema)(result.output)).toEqual({ valid: true });
  });

  it("reports a provider outage as a TransientAiError for the queue to retry", async () => {
    const a = await adapter.transient();
    await expect(generateWithSchema(a.provider, input(a))).rejects.toBeInstanceOf(TransientAiError);
  });
});
