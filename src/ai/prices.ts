/**
 * What an AI call costs: USD per million tokens, prompt ("input") and answer ("output"), by model.
 * AI_PRICES (JSON `{"<model>": {"input": 0.15, "output": 0.6}}`) adds models or overrides the defaults
 * below. A model is priced by its exact name, else by the longest priced name it extends with `-`
 * (dated snapshots: `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`), else by its name after the
 * last `/` (gateways that prefix the vendor: `openai/gpt-4o-mini`). A model with no price costs `null`.
 */
import { AppError } from "../lib/errors";

export interface ModelPrice {
  /** USD per million prompt tokens. */
  input: number;
  /** USD per million answer tokens. */
  output: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** List prices of common models (USD per million tokens); AI_PRICES corrects them when they change. */
export const DEFAULT_PRICES: PriceTable = {
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "o4-mini": { input: 1.1, output: 4.4 },
  "claude-opus-4-1": { input: 15, output: 75 },
  "claude-opus-4": { input: 15, output: 75 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
  // The mock provider costs nothing, so local runs show a cost of 0 rather than none.
  "mock-1": { input: 0, output: 0 },
};

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isPrice = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** The defaults with AI_PRICES over them; malformed AI_PRICES is AppError("misconfigured") naming the entry. */
export function parseAiPrices(value: string | undefined): PriceTable {
  if (!value || value.trim() === "") return DEFAULT_PRICES;
  const fail = (why: string): never => {
    throw new AppError(
      "misconfigured",
      `AI_PRICES ${why}: expected JSON like {"gpt-4o-mini": {"input": 0.15, "output": 0.6}} (USD per million tokens)`,
    );
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    fail("is not valid JSON");
  }
  if (!isObj(parsed)) return fail("must be a JSON object");
  const table: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  for (const [model, price] of Object.entries(parsed)) {
    if (!isObj(price) || !isPrice(price.input) || !isPrice(price.output)) {
      fail(`entry "${model}" needs non-negative numbers "input" and "output"`);
    }
    table[model] = {
      input: Number((price as ModelPrice).input),
      output: Number((price as ModelPrice).output),
    };
  }
  return table;
}

/** The price of `model` by the rules in the file comment, or undefined. */
export function priceFor(prices: PriceTable, model: string): ModelPrice | undefined {
  for (const name of [model, model.slice(model.lastIndexOf("/") + 1)]) {
    if (Object.hasOwn(prices, name)) return prices[name];
    let best: string | undefined;
    for (const key of Object.keys(prices)) {
      if (name.startsWith(`${key}-`) && key.length > (best?.length ?? 0)) best = key;
    }
    if (best !== undefined) return prices[best];
  }
  return undefined;
}

/** USD for one call (to 1e-9, so sums stay readable), or null when the model has no price. */
export function costUsd(prices: PriceTable, model: string, tokensPrompt: number, tokensOutput: number) {
  const price = priceFor(prices, model);
  if (!price) return null;
  const usd = (tokensPrompt * price.input + tokensOutput * price.output) / 1_000_000;
  return Math.round(usd * 1e9) / 1e9;
}
