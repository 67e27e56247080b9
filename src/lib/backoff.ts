/** Exponential backoff, the one formula behind every retry delay (queue messages, api_call, the AI watchdog). */

/** A retry policy: `baseMs` before the first retry, doubling up to `maxMs`; `jitter` spreads retries out. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** Draw each delay from [½, 1]× of the full one, so callers that failed together do not retry together. */
  jitter?: boolean;
}

/** Delay before retry number `retry` (1-based): baseMs · 2^(retry-1), capped at maxMs, then jittered if asked. */
export function backoffDelayMs(policy: Backoff, retry: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  return policy.jitter ? Math.round(full / 2 + (full / 2) * random()) : full;
}
