import type { FormField } from "../definitions/types";
import { coerceFormValues, type FormPost } from "../executors/form-fields";

import { MAX_COMMENT_LENGTH } from "../lib/limits";

// What a `datetime-local` input posts: a wall-clock time with no zone.
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?$/;

/**
 * Turns a posted page into the resume data of a form step. Only the declared fields are read
 * (the page posts nothing else; a stray browser-added input must not fail the user's submit).
 * `date-time` fields come from `datetime-local` inputs, which carry no zone: the page says the
 * time is UTC, so `2026-05-01T09:30` becomes `2026-05-01T09:30:00Z`. Everything else goes
 * through the shared coercion (coerceFormValues: numbers parsed, checkboxes to booleans, blanks
 * absent, defaults applied); the result still goes through the step's JSON Schema validation.
 */
export function readFormSubmission(fields: readonly FormField[], form: FormData): Record<string, unknown> {
  const post: FormPost = {};
  for (const field of fields) {
    const sent = form.getAll(field.name).filter((v): v is string => typeof v === "string");
    if (sent.length === 0) continue;
    const values = field.format === "date-time" ? sent.map(localToUtcIso) : sent;
    post[field.name] = values.length === 1 ? values[0] : values;
  }
  return coerceFormValues(fields, post);
}

function localToUtcIso(text: string): string {
  const m = LOCAL_DATE_TIME.exec(text.trim());
  if (!m) return text;
  return `${m[1]}T${m[2]}${m[3] ?? ":00"}Z`;
}

export type Decision = "approved" | "rejected" | "changes_requested";

export type ApprovalSubmission =
  | { ok: true; data: { decision: Decision; comment?: string } }
  | { ok: false; error: string };

/**
 * Reads `decision` (approved|rejected, and changes_requested on a review page) and an optional
 * `comment` from a posted approval page.
 */
export function readApprovalSubmission(form: FormData, review = false): ApprovalSubmission {
  const decision = form.get("decision");
  const allowed = review ? ["approved", "rejected", "changes_requested"] : ["approved", "rejected"];
  if (typeof decision !== "string" || !allowed.includes(decision)) {
    return {
      ok: false,
      error: review ? "Choose Approve, Request changes or Reject." : "Choose Approve or Reject.",
    };
  }
  const raw = form.get("comment");
  const comment = typeof raw === "string" ? raw.trim() : "";
  if (comment.length > MAX_COMMENT_LENGTH) {
    return { ok: false, error: `The comment is longer than ${MAX_COMMENT_LENGTH} characters.` };
  }
  const chosen = decision as Decision;
  return { ok: true, data: comment ? { decision: chosen, comment } : { decision: chosen } };
}
