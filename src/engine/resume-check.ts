import type { AiGenerateStep, ApprovalStep, Definition, FormStep } from "../definitions/types";
import { applyDefaults, fieldsToJsonSchema } from "../executors/form-fields";
import type { ErrorDetail } from "../lib/errors";
import { fieldPath } from "../lib/json-pointer";
import { compileSchema, type SchemaError } from "../lib/json-schema";
import { MAX_COMMENT_LENGTH } from "../lib/limits";
import { stepById } from "./engine";
import { checkFixData } from "./fix-check";
import type { WaitResolution } from "./outcomes";
import { checkReviewData } from "./review-check";
import type { HumanWait } from "./state";

const APPROVAL_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["decision"],
  properties: {
    decision: { type: "string", enum: ["approved", "rejected"] },
    comment: { type: "string", maxLength: MAX_COMMENT_LENGTH },
  },
};

/** `/topic` → `topic`, `/tags/0` → `tags[0]`: the field path users see. */
const toDetails = (errors: SchemaError[]): ErrorDetail[] =>
  errors.map((e) => ({ path: fieldPath(e.path) || "data", keyword: e.keyword, message: e.message }));

/** 422 details or, for a resume the wait cannot take as it stands (a stale page, no send-backs left), a 409 message. */
export type ResumeCheck =
  | { ok: true; resolution: WaitResolution }
  | { ok: false; details: ErrorDetail[]; conflict?: string };

/** The wait a resume answers and its definition (a review checks against what the wait showed). */
export interface CheckedWait {
  def: Definition;
  wait: HumanWait;
}

/**
 * Validates what a person submitted for a wait; invalid data leaves the wait (and its token) untouched.
 * `actor.approver` is who answers (the link's recipient, or the API principal).
 */
export function checkResumeData(
  step: FormStep | ApprovalStep | AiGenerateStep,
  data: unknown,
  actor: { approver: string; now: number },
  at?: CheckedWait,
): ResumeCheck {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, details: [{ path: "data", message: "must be an object" }] };
  }
  if (step.type === "ai_generate") return checkFixData(step, data, actor.approver);
  const shown = at?.wait.review;
  if (step.type === "approval" && at && shown) {
    const aiStep = stepById(at.def, shown.aiStep);
    if (aiStep.type !== "ai_generate" || !aiStep.output)
      throw new Error(`step ${aiStep.id} cannot be reviewed`);
    return checkReviewData(step, { ...aiStep, output: aiStep.output }, shown, data, actor);
  }
  if (step.type === "form") {
    const withDefaults = applyDefaults(step.fields, data as Record<string, unknown>);
    const result = compileSchema(fieldsToJsonSchema(step.fields))(withDefaults);
    if (!result.valid) return { ok: false, details: toDetails(result.errors) };
    return { ok: true, resolution: { kind: "submitted", output: withDefaults } };
  }
  const result = compileSchema(APPROVAL_SCHEMA)(data);
  if (!result.valid) return { ok: false, details: toDetails(result.errors) };
  const { decision, comment } = data as { decision: "approved" | "rejected"; comment?: string };
  const output = {
    decision,
    approver: actor.approver,
    comment: comment ?? null,
    decided_at: new Date(actor.now).toISOString(),
  };
  return { ok: true, resolution: { kind: decision === "approved" ? "approved" : "rejected", output } };
}

/** What a wait's timeout decides, from the step's `on_timeout`. */
export function timeoutResolution(step: FormStep | ApprovalStep, now: number): WaitResolution {
  const at = new Date(now).toISOString();
  if (step.type === "approval" && (step.on_timeout === "approve" || step.on_timeout === "reject")) {
    const decision = step.on_timeout === "approve" ? "approved" : "rejected";
    return {
      kind: "timed_out_output",
      decision,
      output: { decision, approver: "timeout", comment: null, decided_at: at, timed_out: true },
    };
  }
  if (step.type === "form" && step.on_timeout === "default") {
    // Every field's default, required ones included: validation insists those have one for
    // `on_timeout: default`, whereas applyDefaults (for resumes) only fills optional fields.
    const output: Record<string, unknown> = {};
    for (const field of step.fields) {
      if (field.default !== undefined) output[field.name] = field.default;
    }
    return { kind: "timed_out_output", output: { ...output, timed_out: true } };
  }
  return { kind: "timed_out_fail" };
}
