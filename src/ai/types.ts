import type { JsonSchema, MockMode } from "../definitions/types";

export type { JsonSchema, MockMode };

/** One chat message sent to a provider. */
export interface AiMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Per-step settings of the mock provider (`ai_generate.mock` in a definition). */
export interface MockSettings {
  mode: MockMode;
  failures?: number;
}

/** One call to a provider: the conversation so far plus the schema the answer must match. */
export interface AiRequest {
  messages: AiMessage[];
  schema: JsonSchema;
  /** Name sent with a json_schema response_format; sanitised by the provider. */
  schemaName?: string;
  model?: string;
  temperature?: number;
  /** Schema attempt within one generation, 1-based (1 = first ask, 2 = first re-ask, ...). */
  attempt: number;
  /** Stable key of this generation, e.g. `${runId}:${stepId}:${seq}`: seeds the mock's output. */
  seedKey: string;
  mock?: MockSettings;
  /** Delivery attempt of the queue message carrying this job, 1-based; absent means 1. */
  deliveryAttempt?: number;
}

/** A provider's raw answer: the text (not yet parsed or validated) and what it cost. */
export interface AiResponse {
  text: string;
  model: string;
  provider: string;
  tokensPrompt: number;
  tokensOutput: number;
  finishReason?: string;
}

/** A text-generation backend. Built per request from env; never holds state between calls. */
export interface AiProvider {
  readonly name: string;
  generate(req: AiRequest, signal?: AbortSignal): Promise<AiResponse>;
}
