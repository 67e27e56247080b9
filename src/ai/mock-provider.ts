/**
 * The `mock` AI provider: deterministic answers valid for any schema, plus failure modes for tests and
 * demos. It is built for one job (provider-factory.ts), so what varies per job comes in its options.
 * Mode comes from the step's `mock.mode`, else MOCK_AI_MODE, else `success`:
 * - `success`: a value generated from the schema, seeded by MOCK_AI_SEED + the job's seedKey.
 * - `schema_violation`: schema attempts 1..failures (default 1) answer invalid JSON or prose; later ones succeed.
 * - `transient_error`: queue deliveries 1..failures (default 1) throw a TransientAiError (a simulated 503).
 * - `timeout`: queue deliveries 1..failures (default: every delivery) throw a TransientAiError after a short
 *   delay (`timeoutDelayMs`, 10 ms by default), so without `failures` the job ends in the dead-letter queue.
 * Counting failures by `deliveryAttempt` (the queue message's attempt) works across redeliveries, since no
 * state survives between jobs; a missing `deliveryAttempt` counts as 1. The schema attempt is read from the
 * conversation: every re-ask echoes the invalid answer as an assistant turn.
 */
import type { AiGenerateStep, MockMode } from "../definitions/types";
import { AppError } from "../lib/errors";
import { TransientAiError } from "./errors";
import { createRng } from "./mock/prng";
import { violateSchema } from "./mock/violation";
import { generateFromSchema } from "./mock-generator";
import type { AiMessage, AiProvider, AiRequest, AiResponse } from "./types";

export const MOCK_MODES: readonly MockMode[] = ["success", "schema_violation", "timeout", "transient_error"];
export const MOCK_MODEL = "mock-1";
const DEFAULT_SEED = "scaff";
const DEFAULT_TIMEOUT_DELAY_MS = 10;

/** Per-step settings of the mock provider (`ai_generate.mock` in a definition). */
export type MockSettings = NonNullable<AiGenerateStep["mock"]>;

export interface MockProviderOptions {
  /** MOCK_AI_SEED. */
  seed?: string;
  /** MOCK_AI_MODE: the mode of steps that set no `mock.mode`. */
  mode?: string;
  timeoutDelayMs?: number;
  /** Stable key of the job's generation, e.g. `${runId}:${stepId}:${seq}`: seeds the output. */
  seedKey?: string;
  /** The step's `mock` settings. */
  settings?: MockSettings;
  /** Delivery attempt of the queue message carrying the job, 1-based. */
  deliveryAttempt?: number;
}

export const isMockMode = (value: unknown): value is MockMode => MOCK_MODES.includes(value as MockMode);

/** Rough token count (≈ 4 characters per token), so mock runs report plausible usage. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Schema attempt of a request, 1-based: one more than the invalid answers echoed back so far. */
const schemaAttempt = (messages: AiMessage[]): number =>
  1 + messages.filter((m) => m.role === "assistant").length;

/** Builds the mock provider; an unknown MOCK_AI_MODE is a configuration error, reported at once. */
export function createMockProvider(options: MockProviderOptions = {}): AiProvider {
  const envMode = options.mode === undefined || options.mode === "" ? "success" : options.mode;
  if (!isMockMode(envMode)) {
    throw new AppError(
      "misconfigured",
      `MOCK_AI_MODE must be one of ${MOCK_MODES.join(", ")}; got "${envMode}".`,
    );
  }
  const mode = options.settings?.mode ?? envMode;
  const failures = options.settings?.failures;
  const seedText = `${options.seed || DEFAULT_SEED}:${options.seedKey ?? ""}`;
  const delayMs = options.timeoutDelayMs ?? DEFAULT_TIMEOUT_DELAY_MS;
  const delivery = options.deliveryAttempt ?? 1;

  return {
    name: "mock",
    async generate(req: AiRequest, signal?: AbortSignal): Promise<AiResponse> {
      if (mode === "transient_error" && delivery <= (failures ?? 1)) {
        throw new TransientAiError(
          `Mock provider: simulated 503 Service Unavailable (delivery ${delivery}).`,
          {
            status: 503,
          },
        );
      }
      if (mode === "timeout" && delivery <= (failures ?? Number.POSITIVE_INFINITY)) {
        await sleep(delayMs, signal);
        throw new TransientAiError(
          `Mock provider: simulated timeout after ${delayMs} ms (delivery ${delivery}).`,
        );
      }
      const valid = generateFromSchema(req.schema, seedText);
      const attempt = schemaAttempt(req.messages);
      const violate = mode === "schema_violation" && attempt <= (failures ?? 1);
      const text = violate
        ? violateSchema(req.schema, valid, createRng(`${seedText}:violation:${attempt}`))
        : JSON.stringify(valid);
      const prompt = req.messages.map((m) => m.content).join("\n");
      return {
        text,
        model: MOCK_MODEL,
        provider: "mock",
        tokensPrompt: estimateTokens(prompt),
        tokensOutput: estimateTokens(text),
        finishReason: "stop",
      };
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
