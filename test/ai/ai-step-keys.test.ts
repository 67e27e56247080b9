import { describe, expect, it } from "vitest";
import { costUsd, DEFAULT_PRICES, parseAiPrices, priceFor } from "../../src/ai/prices";
import { createAiProvider } from "../../src/ai/provider-factory";
import { aiTargets } from "../../src/ai/targets";
import { parseDefinitionSource } from "../../src/definitions/parse";
import type { AiGenerateStep, DefinitionIssue } from "../../src/definitions/types";

const workflow = (keys: string) => `
id: keys
name: Keys
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Hi"
    schema: { type: object }
${keys
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
`;

function parsed(keys: string): { step?: AiGenerateStep; issues: DefinitionIssue[] } {
  const r = parseDefinitionSource(workflow(keys), "yaml");
  return r.ok ? { step: r.definition.steps[0] as AiGenerateStep, issues: [] } : { issues: r.issues };
}

describe("ai_generate keys provider, model and fallback", () => {
  it("accepts a provider, a model and one fallback (kept as a list) or several", () => {
    const one = parsed(
      "provider: anthropic\nmodel: claude-haiku-4-5\nfallback: { provider: openai, model: gpt-4o-mini }",
    );
    expect(one.issues).toEqual([]);
    expect(one.step).toMatchObject({
      provider: "anthropic",
      model: "claude-haiku-4-5",
      fallback: [{ provider: "openai", model: "gpt-4o-mini" }],
    });
    const list = parsed(
      "fallback:\n  - { provider: openai }\n  - { provider: anthropic, model: claude-sonnet-4-5 }",
    );
    expect(list.step?.fallback).toEqual([
      { provider: "openai" },
      { provider: "anthropic", model: "claude-sonnet-4-5" },
    ]);
  });

  it("refuses an unknown provider, unknown fallback keys and a fallback that repeats a target", () => {
    expect(parsed("provider: gemini").issues[0]?.path).toBe("steps[0].provider");
    expect(parsed("fallback: { provider: openai, region: eu }").issues.length).toBeGreaterThan(0);
    const repeated = parsed(
      "provider: openai\nmodel: gpt-4o\nfallback: [{ provider: openai, model: gpt-4o }]",
    );
    expect(repeated.issues).toEqual([
      expect.objectContaining({ path: "steps[0].fallback[0]", message: expect.stringContaining("repeats") }),
    ]);
  });

  it("orders the targets primary first; a step's provider overrides AI_PROVIDER", () => {
    const step: Pick<AiGenerateStep, "provider" | "model" | "fallback"> = {
      provider: "mock",
      model: "m",
      fallback: [{ provider: "openai" }],
    };
    expect(aiTargets(step, "anthropic")).toEqual([{ provider: "mock", model: "m" }, { provider: "openai" }]);
    expect(aiTargets({}, " anthropic ")).toEqual([{ provider: "anthropic" }]);
    expect(createAiProvider({ AI_PROVIDER: "openai" }, { provider: "anthropic" }).name).toBe("anthropic");
    expect(() => createAiProvider({ AI_PROVIDER: "openai" }, { provider: "gemini" })).toThrow(
      /must be one of/,
    );
  });
});

describe("AI_PRICES and cost_usd", () => {
  it("prices a call per million tokens, dated snapshots and vendor-prefixed names included", () => {
    expect(costUsd(DEFAULT_PRICES, "gpt-4o-mini", 1_000_000, 1_000_000)).toBeCloseTo(0.75, 9);
    expect(priceFor(DEFAULT_PRICES, "gpt-4o-mini-2024-07-18")).toEqual(DEFAULT_PRICES["gpt-4o-mini"]);
    expect(priceFor(DEFAULT_PRICES, "claude-sonnet-4-5-20250929")).toEqual(
      DEFAULT_PRICES["claude-sonnet-4-5"],
    );
    expect(priceFor(DEFAULT_PRICES, "openai/gpt-4o")).toEqual(DEFAULT_PRICES["gpt-4o"]);
    expect(costUsd(DEFAULT_PRICES, "@cf/meta/llama-3.1-8b-instruct", 10, 10)).toBeNull();
    expect(costUsd(DEFAULT_PRICES, "mock-1", 500, 50)).toBe(0);
  });

  it("lays AI_PRICES over the defaults and refuses a malformed value, naming the entry", () => {
    const table = parseAiPrices(
      '{"gpt-4o-mini": {"input": 1, "output": 2}, "local-llm": {"input": 0, "output": 0}}',
    );
    expect(table["gpt-4o-mini"]).toEqual({ input: 1, output: 2 });
    expect(table["gpt-4o"]).toEqual(DEFAULT_PRICES["gpt-4o"]);
    expect(costUsd(table, "local-llm", 100, 100)).toBe(0);
    expect(parseAiPrices(undefined)).toBe(DEFAULT_PRICES);
    expect(() => parseAiPrices("{nope")).toThrow(/AI_PRICES is not valid JSON/);
    expect(() => parseAiPrices('{"m": {"input": -1, "output": 2}}')).toThrow(/entry "m"/);
    expect(() => parseAiPrices("[1]")).toThrow(/must be a JSON object/);
  });
});
