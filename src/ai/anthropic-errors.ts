/** Maps `@anthropic-ai/sdk` errors to TransientAiError / PermanentAiError. */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import { PermanentAiError, retryAfterSeconds, TransientAiError } from "./errors";

/** Turns an error thrown by the SDK into a typed AI error; anything else (a bug) is returned unchanged. */
export function mapAnthropicError(e: unknown, timeoutMs: number): unknown {
  if (e instanceof APIUserAbortError) {
    return new TransientAiError("Anthropic request was aborted.", { cause: e });
  }
  if (e instanceof APIConnectionTimeoutError) {
    return new TransientAiError(`Anthropic request timed out after ${timeoutMs / 1000} s.`, { cause: e });
  }
  if (e instanceof APIConnectionError) {
    const cause = e.cause instanceof Error ? `: ${e.cause.message.replace(/\.$/, "")}` : "";
    return new TransientAiError(`Could not reach the Anthropic API${cause}.`, { cause: e });
  }
  if (!(e instanceof APIError) || e.status === undefined) return e;
  const status = e.status;
  const detail = `Anthropic API answered ${e.message}`;
  // 529 is Anthropic's "overloaded": like 429 and other 5xx it clears by waiting.
  if (status === 429 || status === 408 || status >= 500) {
    return new TransientAiError(detail, {
      status,
      retryAfterSeconds: retryAfterSeconds(e.headers),
      cause: e,
    });
  }
  return new PermanentAiError(detail, { status, cause: e });
}
