import { type Backoff, backoffDelayMs } from "../lib/backoff";

/** Queue redeliveries: 2 s, 4 s, 8 s, ... capped at 5 minutes. */
export const QUEUE_BACKOFF: Backoff = { baseMs: 2_000, maxMs: 300_000 };
/** A provider's Retry-After is honoured up to an hour; longer hints are not worth parking a message for. */
const MAX_RETRY_AFTER_SECONDS = 3_600;

/** Queue retry delay in seconds for delivery `attempt`, or the provider's Retry-After when longer. */
export function retryDelaySeconds(attempt: number, retryAfterSeconds?: number): number {
  const backoff = backoffDelayMs(QUEUE_BACKOFF, Math.max(1, attempt)) / 1000;
  return Math.ceil(Math.max(backoff, Math.min(retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS)));
}
