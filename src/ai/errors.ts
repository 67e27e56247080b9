import type { AiResponse } from "./types";

/**
 * Provider failures as types, so callers decide by class and never by parsing messages:
 * a transient failure is worth retrying later (the queue does it), a permanent one is not.
 */

/** Timeouts, 429, 5xx, network errors: retry the job later, optionally not before `retryAfterSeconds`. */
export class TransientAiError extends Error {
  readonly retryAfterSeconds: number | undefined;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { retryAfterSeconds?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TransientAiError";
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status;
  }
}

/** Refusals, truncated output, content filter, 4xx other than 429, bad configuration: retrying cannot help. */
export class PermanentAiError extends Error {
  readonly status: number | undefined;
  /** The provider's answer when there was one (a refusal still costs tokens worth recording). */
  readonly response: AiResponse | undefined;

  constructor(message: string, options: { status?: number; response?: AiResponse; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PermanentAiError";
    this.status = options.status;
    this.response = options.response;
  }
}

export const isTransientAiError = (e: unknown): e is TransientAiError => e instanceof TransientAiError;
export const isPermanentAiError = (e: unknown): e is PermanentAiError => e instanceof PermanentAiError;

/** Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date), if the server said. */
export function retryAfterSeconds(
  headers: Headers | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = Number(headers?.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000);
  const raw = headers?.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
