/** Maps `@anthropic-ai/sdk` errors to TransientAiError / PermanentAiError. */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import { mapSdkError, type SdkErrors } from "./sdk-errors";

const ANTHROPIC: SdkErrors = {
  label: "Anthropic",
  abort: APIUserAbortError,
  timeout: APIConnectionTimeoutError,
  connection: APIConnectionError,
  api: APIError,
};

/** Turns an error thrown by the SDK into a typed AI error; anything else (a bug) is returned unchanged. */
export const mapAnthropicError = (e: unknown, timeoutMs: number): unknown =>
  mapSdkError(ANTHROPIC, e, timeoutMs);
