import type { AiGenerateStep, ApprovalStep } from "../definitions/types";
import type { ErrorDetail } from "../lib/errors";
import { diffPatch } from "../lib/json-patch";
import { fieldPath } from "../lib/json-pointer";
import { compileSchema, type SchemaError } from "../lib/json-schema";
import { MAX_COMMENT_LENGTH } from "../lib/limits";
import type { WaitResolution } from "./outcomes";
import type { ReviewShown } from "./state";

/** What a review resume answers: the resolution, or 422 details, or a 409 message (the wait stays open). */
export type ReviewCheck =
  | { ok: true; resolution: WaitResolution }
  | { ok: false; details: ErrorDetail[]; conflict?: string };

const REVIEW_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["decision"],
  properties: {
    decision: { type: "string", enum: ["approved", "rejected", "changes_requested"] },
    comment: { type: "string", maxLength: MAX_COMMENT_LENGTH },
    output: true,
    content_hash: { type: "string" },
  },
};

interface ReviewData {
  decision: "approved" | "rejected" | "changes_requested";
  comment?: string;
  output?: unknown;
  content_hash?: string;
}

/** Schema errors of a submitted output, with paths under `output` (`output.title`, `output.tags[0]`). */
export const outputDetails = (errors: SchemaError[]): ErrorDetail[] =>
  errors.map((e) => ({ path: fieldPath(e.path, "output"), keyword: e.keyword, message: e.message }));

const fail = (path: string, message: string): ReviewCheck => ({ ok: false, details: [{ path, message }] });

/** Checks a decision on an approval with `review` against what its wait showed (docs/review.md). */
export function checkReviewData(
  step: ApprovalStep,
  aiStep: AiGenerateStep & { output: string },
  shown: ReviewShown,
  data: object,
  actor: { approver: string; now: number },
): ReviewCheck {
  const shape = compileSchema(REVIEW_SCHEMA)(data);
  if (!shape.valid) {
    return {
      ok: false,
      details: shape.errors.map((e) => ({
        path: fieldPath(e.path) || "data",
        keyword: e.keyword,
        message: e.message,
      })),
    };
  }
  const d = data as ReviewData;
  if (d.content_hash !== undefined && d.content_hash !== shown.contentHash) {
    return {
      ok: false,
      details: [],
      conflict: `The output under review changed since this page was shown (revision ${shown.revision} is open now): reload the page and review it again`,
    };
  }
  if (d.output !== undefined && !step.editable)
    return fail("output", "this approval is not editable: send no output");
  const comment = d.comment?.trim() ?? "";
  if (d.decision === "changes_requested") {
    if (!step.allow_changes) return fail("decision", "this approval does not allow sending the output back");
    if (!comment) return fail("comment", "say what should change: changes_requested needs a comment");
    if (shown.changesLeft <= 0) {
      return {
        ok: false,
        details: [],
        conflict: `The output was already sent back ${shown.revision - 1} times, the most this step allows (max_revisions); approve or reject it`,
      };
    }
  }
  const approved = d.decision === "approved";
  if (approved && d.output !== undefined) {
    const result = compileSchema(aiStep.schema)(d.output);
    if (!result.valid) return { ok: false, details: outputDetails(result.errors) };
  }
  const final = approved && d.output !== undefined ? d.output : shown.output;
  const patch = diffPatch(shown.output, final);
  const output = {
    decision: d.decision,
    approver: actor.approver,
    comment: comment || null,
    decided_at: new Date(actor.now).toISOString(),
    revision: shown.revision,
    content_hash: shown.contentHash,
    edited: patch.length > 0,
    patch,
  };
  if (d.decision === "changes_requested") {
    const request = { aiStep: aiStep.id, approval: step.id, previous: shown.output, comment };
    return { ok: true, resolution: { kind: "changes_requested", output, request } };
  }
  if (!approved) return { ok: true, resolution: { kind: "rejected", output } };
  const edit = patch.length > 0 ? { at: aiStep.output, value: final } : undefined;
  return { ok: true, resolution: { kind: "approved", output, ...(edit ? { edit } : {}) } };
}
