// Limits a user can run into, each defined once: pages, the API and the engine read them from here.

/** Longest reviewer comment, on the page, through the API and in what the page shows back. */
export const MAX_COMMENT_LENGTH = 5000;

/** Reminders sent for one wait at most (`remind_after`). */
export const MAX_REMINDERS = 10;
