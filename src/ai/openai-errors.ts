/** Maps `openai` SDK errors to TransientAiError / PermanentAiError. */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { PermanentAiError, retryAfterSeconds, TransientAiError } from "./errors";

/** Turns an error thrown by the SDK into a typed AI error; anything else (a bug) is returned unchanged. */
export function mapOpenAiError(e: unknown, timeoutMs: number): unknown {
  if (e instanceof APIUserAbortError)
    return new TransientAiError("OpenAI request was aborted.", { cause: e });
  if (e instanceof APIConnectionTimeoutError) {
    return new TransientAiError(`OpenAI request timed out after ${timeoutMs / 1000} s.`, { cause: e });
  }
  if (e instanceof APIConnectionError) {
    const cause = e.cause instanceof Error ? `: ${e.cause.message.replace(/\.$/, "")}` : "";
    return new TransientAiError(`Could not reach the OpenAI API${cause}.`, { cause: e });
  }
  if (!(e instanceof APIError) || e.status === undefined) return e;
  const status = e.status;
  const detail = `OpenAI API answered ${e.message}`;
  // A 429 for an exhausted quota does not clear by waiting minutes: fail instead of retrying for hours.
  if (status === 429 && e.code === "insufficient_quota")
    return new PermanentAiError(detail, { status, cause: e });
  if (status === 429 || status === 408 || status >= 500) {
    return new TransientAiError(detail, {
      status,
      retryAfterSeconds: retryAfterSeconds(e.headers),
      cause: e,
    });
  }
  return new PermanentAiError(detail, { status, cause: e });
}
