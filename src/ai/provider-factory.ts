/** Picks the AI provider named by AI_PROVIDER and builds it from env, once per request or job. */
import { AppError } from "../lib/errors";
import { createMockProvider, type MockProviderOptions } from "./mock-provider";
import { createOpenAiProvider, type OpenAiProviderConfig } from "./openai-provider";
import type { AiProvider } from "./types";

/** The env bindings the AI layer reads (a subset of Env, so tests can pass a plain object). */
export type AiEnv = Partial<
  Pick<
    Env,
    "AI_PROVIDER" | "MOCK_AI_SEED" | "MOCK_AI_MODE" | "OPENAI_MODEL" | "OPENAI_API_KEY" | "OPENAI_BASE_URL"
  >
>;

/** Test and embedding hooks: options merged over what env says. */
export interface AiProviderOverrides {
  mock?: Partial<MockProviderOptions>;
  openai?: Partial<OpenAiProviderConfig>;
}

const BUILDERS: Record<string, (env: AiEnv, overrides: AiProviderOverrides) => AiProvider> = {
  mock: (env, o) => createMockProvider({ seed: env.MOCK_AI_SEED, mode: env.MOCK_AI_MODE, ...o.mock }),
  openai: (env, o) =>
    createOpenAiProvider({
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      defaultModel: env.OPENAI_MODEL,
      ...o.openai,
    }),
};

export const AI_PROVIDERS = Object.keys(BUILDERS);

/**
 * Builds the provider AI_PROVIDER names. Unset or unknown is AppError("misconfigured"): a deployed
 * Worker never falls back to the mock silently (local development sets `mock` in .dev.vars).
 */
export function createAiProvider(env: AiEnv, overrides: AiProviderOverrides = {}): AiProvider {
  const name = env.AI_PROVIDER?.trim() ?? "";
  if (name === "") {
    throw new AppError(
      "misconfigured",
      `AI_PROVIDER is not set: set it to one of ${AI_PROVIDERS.join(", ")} (mock only for local development).`,
    );
  }
  const build = BUILDERS[name];
  if (!build) {
    throw new AppError(
      "misconfigured",
      `AI_PROVIDER must be one of ${AI_PROVIDERS.join(", ")}; got "${name}".`,
    );
  }
  return build(env, overrides);
}
