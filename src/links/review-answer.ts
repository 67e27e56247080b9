import type { ReviewShown } from "../engine/state";
import type { ErrorDetail } from "../lib/errors";
import { readApprovalSubmission } from "./form-values";
import { type ApprovalLink, approvalPage, type FixLink, fixPage, type OpenLink } from "./open-link";
import { schemaFields } from "./schema-fields";
import { postedStrings, readSchemaForm } from "./schema-values";

// What a posted review or fix page carries (docs/review.md): the decision, the hash the page showed
// and the edited output, or the fixed output; a JSON editor that does not parse is answered here.

/** The comment a page posted, as typed (kept on a re-render). */
export const commentOf = (form: FormData): string | undefined => {
  const raw = form.get("comment");
  return typeof raw === "string" ? raw : undefined;
};

/** What an editable review page posted, to show again after a refused submit (nothing for a read-only one). */
export function keptEdits(link: OpenLink, form: FormData): { posted?: Map<string, string[]> } {
  return link.step.type === "approval" && link.step.editable ? { posted: postedStrings(form) } : {};
}

/** The fix page's `{output}`, or the page again (422) when a JSON editor does not parse. */
export function readFixAnswer(link: FixLink, form: FormData): { data: unknown } | Response {
  const wait = link.run.pending?.kind === "human" ? link.run.pending : undefined;
  const shown = wait?.fix?.output;
  const read = readSchemaForm(schemaFields(link.step.schema, shown), form, shown);
  if (Object.keys(read.problems).length > 0) {
    return fixPage(link, 422, { posted: postedStrings(form), fieldErrors: read.problems });
  }
  return { data: { output: read.output } };
}

/** A review page's decision with its `content_hash`, and the edited `output` when approving an editable one. */
export function readReviewAnswer(
  link: ApprovalLink,
  review: ReviewShown,
  form: FormData,
): { data: unknown } | Response {
  const read = readApprovalSubmission(form, true);
  const comment = commentOf(form);
  if (!read.ok) return approvalPage(link, 422, { error: read.error, comment, ...keptEdits(link, form) });
  const hash = form.get("content_hash");
  const data: Record<string, unknown> = {
    ...read.data,
    ...(typeof hash === "string" ? { content_hash: hash } : {}),
  };
  const ai = link.def.steps.find((s) => s.id === review.aiStep);
  if (link.step.editable && read.data.decision === "approved" && ai?.type === "ai_generate") {
    const edited = readSchemaForm(schemaFields(ai.schema, review.output), form, review.output);
    if (Object.keys(edited.problems).length > 0) {
      const error = "Please correct the fields marked below.";
      return approvalPage(link, 422, {
        error,
        comment,
        posted: postedStrings(form),
        fieldErrors: edited.problems,
      });
    }
    data.output = edited.output;
  }
  return { data };
}

/** 422 details about the output (`output…` paths), keyed by path; the other messages in order. */
export function splitDetails(details: readonly ErrorDetail[]): {
  fieldErrors: Record<string, string>;
  rest: string[];
} {
  const fieldErrors: Record<string, string> = Object.create(null);
  const rest: string[] = [];
  for (const d of details) {
    const path = typeof d.path === "string" ? d.path : "";
    if (path === "output" || path.startsWith("output.") || path.startsWith("output[")) {
      if (!Object.hasOwn(fieldErrors, path)) fieldErrors[path] = d.message;
    } else {
      rest.push(d.message);
    }
  }
  return { fieldErrors, rest };
}
