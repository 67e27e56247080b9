/**
 * Both provider SDKs (generated from the same template) throw the same family of errors: an abort, a
 * timeout, a connection failure, or an API error with a status. One rule maps them to typed AI errors;
 * each provider passes its SDK's classes, its name, and any status rule of its own.
 */
import { PermanentAiError, retryAfterSeconds, TransientAiError } from "./errors";

type ErrorClass = abstract new (...args: never[]) => Error;

interface ApiErrorLike extends Error {
  status?: number | undefined;
  headers?: unknown;
}

export interface SdkErrors {
  /** How messages name the service, e.g. "OpenAI". */
  label: string;
  abort: ErrorClass;
  timeout: ErrorClass;
  connection: ErrorClass;
  api: ErrorClass;
  /** A status answer this provider treats as permanent although the shared rule would retry it. */
  permanent?: (e: ApiErrorLike) => boolean;
}

/** Turns an error thrown by an SDK into a typed AI error; anything else (a bug) is returned unchanged. */
export function mapSdkError(sdk: SdkErrors, e: unknown, timeoutMs: number): unknown {
  const { label } = sdk;
  if (e instanceof sdk.abort) return new TransientAiError(`${label} request was aborted.`, { cause: e });
  if (e instanceof sdk.timeout) {
    return new TransientAiError(`${label} request timed out after ${timeoutMs / 1000} s.`, { cause: e });
  }
  if (e instanceof sdk.connection) {
    const cause = e.cause instanceof Error ? `: ${e.cause.message.replace(/\.$/, "")}` : "";
    return new TransientAiError(`Could not reach the ${label} API${cause}.`, { cause: e });
  }
  if (!(e instanceof sdk.api)) return e;
  const apiError = e as ApiErrorLike;
  const status = apiError.status;
  if (status === undefined) return e;
  const detail = `${label} API answered ${e.message}`;
  if (sdk.permanent?.(apiError)) return new PermanentAiError(detail, { status, cause: e });
  // 408, 429 and 5xx (Anthropic's 529 "overloaded" among them) clear by waiting.
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfter = retryAfterSeconds(apiError.headers as Parameters<typeof retryAfterSeconds>[0]);
    return new TransientAiError(detail, { status, retryAfterSeconds: retryAfter, cause: e });
  }
  return new PermanentAiError(detail, { status, cause: e });
}
