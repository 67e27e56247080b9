import type { JsonSchema } from "../definitions/types";

export type { JsonSchema };

/** One chat message sent to a provider. */
export interface AiMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** One call to a provider: the conversation so far plus the schema the answer must match. */
export interface AiRequest {
  messages: AiMessage[];
  schema: JsonSchema;
  /** Name sent with a json_schema response_format; sanitised by the provider. */
  schemaName?: string;
  model?: string;
  temperature?: number;
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
