import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isTransientAiError, TransientAiError } from "../../src/ai/errors";
import { generateWithSchema } from "../../src/ai/generate";
import { generateFromSchema } from "../../src/ai/mock-generator";
import { createMockProvider, type MockSettings } from "../../src/ai/mock-provider";
import { formatSchemaErrors, parseModelJson, REASK_MAX_ERRORS } from "../../src/ai/output";
import { createAiProvider } from "../../src/ai/provider-factory";
import type { AiRequest, JsonSchema } from "../../src/ai/types";
import type { AiGenerateStep } from "../../src/definitions/types";
import { AppError } from "../../src/lib/errors";
import { compileSchema } from "../../src/lib/json-schema";
import { draftSchema, variedSchemas } from "../fixtures/schemas/varied";

/** Schemas with a single valid value (or nearly): "differs across seeds" cannot apply to them. */
const FIXED = new Set(["const object", "not a type", "exclusive integer"]);
const SEEDS = ["run_1:draft:1", "run_2:draft:1", "run_3:review:4", "x", "y", "z"];

/** A request at schema attempt `attempt`: every re-ask before it echoed an invalid answer. */
const request = (over: Partial<AiRequest> = {}, attempt = 1): AiRequest => ({
  messages: [
    { role: "user", content: "Write a draft about queues." },
    ...Array.from({ length: attempt - 1 }, () => [
      { role: "assistant" as const, content: "{}" },
      { role: "user" as const, content: "That did not match the schema." },
    ]).flat(),
  ],
  schema: draftSchema,
  ...over,
});

/** The queue job a provider is built for, as the AI consumer describes it. */
const job = (key = "run_1:draft:1", step: Pick<AiGenerateStep, "mock"> = {}, deliveryAttempt = 1) => ({
  key,
  deliveryAttempt,
  step,
});

const isValid = (schema: JsonSchema, text: string): boolean => {
  const parsed = parseModelJson(text);
  return parsed.ok && compileSchema(schema)(parsed.value).valid;
};

describe("mock generator", () => {
  it("has a table of at least 30 schemas", () => {
    expect(variedSchemas.length).toBeGreaterThanOrEqual(30);
  });

  for (const { name, schema } of variedSchemas) {
    it(`generates valid, deterministic output: ${name}`, () => {
      const validate = compileSchema(schema);
      const outputs = SEEDS.map((seed) => generateFromSchema(schema, seed));
      for (const [i, output] of outputs.entries()) {
        expect(validate(output), `seed ${SEEDS[i]}: ${JSON.stringify(output)}`).toEqual({ valid: true });
        expect(generateFromSchema(schema, SEEDS[i] as string)).toEqual(output);
      }
      if (!FIXED.has(name)) {
        expect(new Set(outputs.map((o) => JSON.stringify(o))).size).toBeGreaterThan(1);
      }
    });
  }

  it("does not mutate the schema it is given", () => {
    for (const { schema } of variedSchemas) {
      const before = JSON.stringify(schema);
      generateFromSchema(schema, "seed");
      expect(JSON.stringify(schema)).toBe(before);
    }
  });

  it("returns an invalid value rather than hanging when no value can match", () => {
    const impossible: JsonSchema = { type: "integer", minimum: 5, maximum: 4 };
    expect(compileSchema(impossible)(generateFromSchema(impossible, "s")).valid).toBe(false);
  });
});

describe("mock provider", () => {
  it("answers valid JSON with mock model, plausible tokens, seeded by MOCK_AI_SEED + seedKey", async () => {
    // test bindings: AI_PROVIDER=mock; wrangler vars: MOCK_AI_MODE=success
    const provider = createAiProvider(env, { job: job() });
    expect(provider.name).toBe("mock");
    const res = await provider.generate(request());
    expect(isValid(draftSchema, res.text)).toBe(true);
    expect(res).toMatchObject({ model: "mock-1", provider: "mock", finishReason: "stop" });
    expect(res.tokensPrompt).toBe(Math.ceil("Write a draft about queues.".length / 4));
    expect(res.tokensOutput).toBe(Math.ceil(res.text.length / 4));
    expect((await provider.generate(request())).text).toBe(res.text);
    const otherSeed = createAiProvider({ ...env, MOCK_AI_SEED: "another-seed" }, { job: job() });
    expect((await otherSeed.generate(request())).text).not.toBe(res.text);
    const otherJob = createAiProvider(env, { job: job("run_9:draft:1") });
    expect((await otherJob.generate(request())).text).not.toBe(res.text);
  });

  it("schema_violation: the first `failures` attempts violate the schema, later ones are valid", async () => {
    for (const { name, schema } of variedSchemas) {
      for (const seedKey of ["a", "b", "c"]) {
        const settings = { mode: "schema_violation" as const, failures: 2 };
        const provider = createMockProvider({ seed: "t", seedKey, settings });
        for (const attempt of [1, 2]) {
          const res = await provider.generate(request({ schema }, attempt));
          expect(isValid(schema, res.text), `${name}/${seedKey}/attempt ${attempt}: ${res.text}`).toBe(false);
        }
        const third = await provider.generate(request({ schema }, 3));
        expect(isValid(schema, third.text), `${name}/${seedKey}: ${third.text}`).toBe(true);
      }
    }
  });

  it("schema_violation defaults to one failure and also comes from MOCK_AI_MODE", async () => {
    const provider = createMockProvider({ seed: "t", mode: "schema_violation", seedKey: "run_1:draft:1" });
    expect(isValid(draftSchema, (await provider.generate(request({}, 1))).text)).toBe(false);
    expect(isValid(draftSchema, (await provider.generate(request({}, 2))).text)).toBe(true);
  });

  it("transient_error fails the first `failures` queue deliveries with a 503, then succeeds", async () => {
    const settings = { mode: "transient_error" as const, failures: 2 };
    const delivery = (deliveryAttempt: number, s: MockSettings = settings) =>
      createMockProvider({ settings: s, deliveryAttempt }).generate(request());
    for (const deliveryAttempt of [1, 2]) {
      const error = await delivery(deliveryAttempt).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientAiError);
      expect((error as TransientAiError).status).toBe(503);
    }
    const ok = await delivery(3);
    expect(isValid(draftSchema, ok.text)).toBe(true);
    // Default: one failed delivery.
    const once = { mode: "transient_error" as const };
    await expect(createMockProvider({ settings: once }).generate(request())).rejects.toBeInstanceOf(
      TransientAiError,
    );
    expect(isValid(draftSchema, (await delivery(2, once)).text)).toBe(true);
  });

  it("timeout times out every delivery by default, or only the first `failures`", async () => {
    const delivery = (settings: MockSettings, deliveryAttempt?: number) =>
      createMockProvider({ timeoutDelayMs: 1, settings, deliveryAttempt }).generate(request());
    const always = { mode: "timeout" as const };
    for (const deliveryAttempt of [1, 5, 50]) {
      const error = await delivery(always, deliveryAttempt).catch((e: unknown) => e);
      expect(isTransientAiError(error)).toBe(true);
      expect((error as Error).message).toMatch(/timeout/);
    }
    const once = { mode: "timeout" as const, failures: 1 };
    await expect(delivery(once)).rejects.toBeInstanceOf(TransientAiError);
    expect(isValid(draftSchema, (await delivery(once, 2)).text)).toBe(true);
  });

  it("rejects an unset or unknown AI_PROVIDER and an unknown MOCK_AI_MODE as misconfigured", () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = bad(() => createAiProvider({ AI_PROVIDER: "gemini" }));
    expect(e1).toBeInstanceOf(AppError);
    expect((e1 as AppError).code).toBe("misconfigured");
    expect((e1 as AppError).message).toContain("mock, openai, anthropic");
    const e2 = bad(() => createAiProvider({ AI_PROVIDER: "mock", MOCK_AI_MODE: "flaky" }));
    expect((e2 as AppError).code).toBe("misconfigured");
    const e3 = bad(() => createAiProvider({}));
    expect((e3 as AppError).code).toBe("misconfigured");
    expect((e3 as AppError).message).toContain("AI_PROVIDER is not set");
  });
});

describe("generateWithSchema with the mock provider", () => {
  it("re-asks with the errors and completes on attempt 3 (schema_violation, failures 2, maxRetries 2)", async () => {
    let clock = 1_000;
    const seen: number[] = [];
    const result = await generateWithSchema(
      createMockProvider({
        seed: "loop",
        seedKey: "run_1:draft:1",
        settings: { mode: "schema_violation", failures: 2 },
      }),
      {
        prompt: "Write a draft about queues.",
        system: "You are a precise technical writer.",
        schema: draftSchema,
        maxRetries: 2,
      },
      {
        now: () => (clock += 5),
        onAttempt: (rec) => {
          seen.push(rec.attempt);
        },
      },
    );
    expect(result.status).toBe("completed");
    if (result.status !== "completed") return;
    expect(compileSchema(draftSchema)(result.output)).toEqual({ valid: true });
    expect(seen).toEqual([1, 2, 3]);
    const [first, second, third] = result.attempts;
    expect(first?.errors?.length).toBeGreaterThan(0);
    expect(second?.errors?.length).toBeGreaterThan(0);
    expect(third?.errors).toBeUndefined();
    expect(third?.output).toEqual(result.output);
    expect(first?.latencyMs).toBe(5);
    expect(first?.request.messages).toEqual([
      { role: "system", content: "You are a precise technical writer." },
      { role: "user", content: "Write a draft about queues." },
    ]);
    // Each re-ask carries the invalid answer and a user turn listing its errors.
    for (const [prev, next] of [
      [first, second],
      [second, third],
    ] as const) {
      const msgs = next?.request.messages ?? [];
      const assistant = msgs[msgs.length - 2];
      const reask = msgs[msgs.length - 1];
      expect(assistant).toEqual({ role: "assistant", content: prev?.response?.text });
      expect(reask?.role).toBe("user");
      for (const error of prev?.errors ?? []) {
        expect(reask?.content).toContain(error.message);
        expect(reask?.content).toContain(`(${error.keyword})`);
        expect(reask?.content).toContain(error.path || "(root)");
      }
    }
    expect(third?.request.messages).toHaveLength(6);
  });

  it("fails with the last errors when the retries run out (failures 3, maxRetries 2)", async () => {
    const provider = createMockProvider({
      seed: "loop",
      seedKey: "run_2:draft:1",
      settings: { mode: "schema_violation", failures: 3 },
    });
    const result = await generateWithSchema(provider, {
      prompt: "Write a draft.",
      schema: draftSchema,
      maxRetries: 2,
    });
    expect(result.status).toBe("failed");
    if (result.status !== "failed") return;
    expect(result.attempts).toHaveLength(3);
    expect(result.message).toMatch(/did not match the schema after 3 attempts/);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors).toEqual(result.attempts[2]?.errors);
  });

  it("throws transient errors for the queue to retry, after recording the attempt", async () => {
    const records: string[] = [];
    const run = (deliveryAttempt: number) =>
      generateWithSchema(
        createMockProvider({
          seedKey: "run_3:draft:1",
          settings: { mode: "transient_error" },
          deliveryAttempt,
        }),
        { prompt: "p", schema: draftSchema, maxRetries: 2 },
        { onAttempt: (rec) => void records.push(rec.error ?? "ok") },
      );
    await expect(run(1)).rejects.toBeInstanceOf(TransientAiError);
    expect(records).toEqual([expect.stringContaining("503")]);
    expect((await run(2)).status).toBe("completed");
  });

  it("fails permanently without a re-ask when the provider is misconfigured", async () => {
    const provider = createAiProvider({ AI_PROVIDER: "openai", OPENAI_API_KEY: "" });
    const result = await generateWithSchema(provider, {
      prompt: "p",
      schema: draftSchema,
      maxRetries: 2,
    });
    expect(result).toMatchObject({ status: "failed", errors: [] });
    expect(result.attempts).toHaveLength(1);
    if (result.status === "failed") expect(result.message).toContain("OPENAI_API_KEY");
  });
});

describe("model output handling", () => {
  it("parses fenced JSON and reports prose as a json error", () => {
    expect(parseModelJson('```json\n{"a": 1}\n```')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseModelJson("Here you go:\n```\n[1, 2]\n```\nAnything else?")).toEqual({
      ok: true,
      value: [1, 2],
    });
    expect(parseModelJson('  {"a": 1}  ')).toEqual({ ok: true, value: { a: 1 } });
    const prose = parseModelJson("Sure! {title: oops");
    expect(prose.ok).toBe(false);
    if (!prose.ok) expect(prose.error).toMatchObject({ path: "", keyword: "json" });
  });

  it("caps the error list of a re-ask by count and size", () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      path: `/items/${i}`,
      keyword: "type",
      message: "Wrong.",
    }));
    const text = formatSchemaErrors(many);
    expect(text.split("\n")).toHaveLength(REASK_MAX_ERRORS + 1);
    expect(text).toContain("...and 15 more");
    const huge = [1, 2, 3].map((i) => ({ path: `/p${i}`, keyword: "pattern", message: "x".repeat(3000) }));
    const capped = formatSchemaErrors(huge);
    expect(capped.length).toBeLessThan(4200);
    expect(capped).toContain("...and 2 more");
  });
});
