/** Maps `openai` SDK errors to TransientAiError / PermanentAiError. */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { mapSdkError, type SdkErrors } from "./sdk-errors";

const OPENAI: SdkErrors = {
  label: "OpenAI",
  abort: APIUserAbortError,
  timeout: APIConnectionTimeoutError,
  connection: APIConnectionError,
  api: APIError,
  // A 429 for an exhausted quota does not clear by waiting minutes: fail instead of retrying for hours.
  permanent: (e) => e.status === 429 && e instanceof APIError && e.code === "insufficient_quota",
};

/** Turns an error thrown by the SDK into a typed AI error; anything else (a bug) is returned unchanged. */
export const mapOpenAiError = (e: unknown, timeoutMs: number): unknown => mapSdkError(OPENAI, e, timeoutMs);
