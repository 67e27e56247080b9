/** Picks the AI provider (a step's `provider:`, else AI_PROVIDER) and builds it from env, once per job. */
import { AI_PROVIDER_NAMES, type AiGenerateStep, type AiProviderName } from "../definitions/types";
import { AppError } from "../lib/errors";
import { type AnthropicProviderConfig, createAnthropicProvider } from "./anthropic-provider";
import { createMockProvider, type MockProviderOptions } from "./mock-provider";
import { createOpenAiProvider, type OpenAiProviderConfig } from "./openai-provider";
import type { AiProvider } from "./types";

/** The env bindings the AI layer reads (a subset of Env, so tests can pass a plain object). */
export type AiEnv = Partial<
  Pick<
    Env,
    | "AI_PROVIDER"
    | "MOCK_AI_SEED"
    | "MOCK_AI_MODE"
    | "OPENAI_MODEL"
    | "OPENAI_API_KEY"
    | "OPENAI_BASE_URL"
    | "ANTHROPIC_MODEL"
    | "ANTHROPIC_API_KEY"
    | "ANTHROPIC_BASE_URL"
  >
>;

/** What to build a provider for, beyond env: a job, and (tests, embedding) options merged over the rest. */
export interface AiProviderOptions {
  /** The provider to build instead of AI_PROVIDER (a step's `provider:` or a fallback's). */
  provider?: string;
  job?: AiJob;
  mock?: Partial<MockProviderOptions>;
  openai?: Partial<OpenAiProviderConfig>;
  anthropic?: Partial<AnthropicProviderConfig>;
}

/** The queue job a provider is built for; each provider takes from it what it needs. */
export interface AiJob {
  /** Stable key of this generation, `${runId}:${stepId}:${seq}`. */
  key: string;
  /** Delivery attempt of the queue message carrying the job, 1-based. */
  deliveryAttempt: number;
  step: Pick<AiGenerateStep, "timeout_ms" | "mock">;
}

type Builder = (env: AiEnv, options: AiProviderOptions) => AiProvider;

const BUILDERS: Record<AiProviderName, Builder> = {
  mock: (env, { job, mock }) =>
    createMockProvider({
      seed: env.MOCK_AI_SEED,
      mode: env.MOCK_AI_MODE,
      ...(job ? { seedKey: job.key, settings: job.step.mock, deliveryAttempt: job.deliveryAttempt } : {}),
      ...mock,
    }),
  openai: (env, { job, openai }) =>
    createOpenAiProvider({
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      defaultModel: env.OPENAI_MODEL,
      // A step's `timeout` bounds each provider call (the provider default is 60 s).
      ...(job?.step.timeout_ms ? { timeoutMs: job.step.timeout_ms } : {}),
      ...openai,
    }),
  anthropic: (env, { job, anthropic }) =>
    createAnthropicProvider({
      apiKey: env.ANTHROPIC_API_KEY,
      baseURL: env.ANTHROPIC_BASE_URL,
      defaultModel: env.ANTHROPIC_MODEL,
      ...(job?.step.timeout_ms ? { timeoutMs: job.step.timeout_ms } : {}),
      ...anthropic,
    }),
};

export const AI_PROVIDERS: readonly string[] = AI_PROVIDER_NAMES;
const isProviderName = (name: string): name is AiProviderName => Object.hasOwn(BUILDERS, name);

/**
 * Builds `options.provider`, else the provider AI_PROVIDER names (for `options.job` when given). Unset
 * or unknown is AppError("misconfigured"): a deployed Worker never falls back to the mock silently
 * (local development sets `mock` in .dev.vars).
 */
export function createAiProvider(env: AiEnv, options: AiProviderOptions = {}): AiProvider {
  const name = (options.provider ?? env.AI_PROVIDER)?.trim() ?? "";
  if (name === "") {
    throw new AppError(
      "misconfigured",
      `AI_PROVIDER is not set: set it to one of ${AI_PROVIDERS.join(", ")} (mock only for local development).`,
    );
  }
  if (!isProviderName(name)) {
    throw new AppError(
      "misconfigured",
      `AI_PROVIDER must be one of ${AI_PROVIDERS.join(", ")}; got "${name}".`,
    );
  }
  return BUILDERS[name](env, options);
}
