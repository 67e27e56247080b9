// Limits a user can run into, each defined once: pages, the API and the engine read them from here.
// docs/limits.md lists them with the code each one fails with.

/** Longest reviewer comment, on the page, through the API and in what the page shows back. */
export const MAX_COMMENT_LENGTH = 5000;

/** Reminders sent for one wait at most (`remind_after`). */
export const MAX_REMINDERS = 10;

/** People one form or approval step may address (its rendered assignee or approvers). */
export const MAX_RECIPIENTS = 50;

/** Largest rendered AI prompt, in UTF-8 bytes: it travels in a queue message (Queues take 128 KB). */
export const MAX_PROMPT_BYTES = 100 * 1024;

/** Largest run context, serialised as JSON in UTF-8 bytes (D1 takes 2 MB a row). */
export const MAX_CONTEXT_BYTES = 1024 * 1024;

/** Largest `api_call` response body kept in the run, in bytes (`store: false` keeps none). */
export const MAX_STORED_RESPONSE_BYTES = 256 * 1024;

/** Messages in one queue `sendBatch` (Queues' own limit is 100). */
export const QUEUE_BATCH_MAX_MESSAGES = 100;

/** Bytes of message bodies in one `sendBatch`, well under Queues' 256 KB. */
export const QUEUE_BATCH_MAX_BYTES = 192 * 1024;

/** Sends of a transition's queue messages before its step gives up with `queue_send_failed`. */
export const MAX_EFFECT_SENDS = 10;

const encoder = new TextEncoder();

/** The UTF-8 size of a string, the unit every byte limit above is counted in. */
export const utf8Bytes = (text: string): number => encoder.encode(text).byteLength;
