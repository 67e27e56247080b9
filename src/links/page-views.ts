import type { ApprovalStep, Definition, FormField, FormStep } from "../definitions/types";
import { templateView } from "../engine/view";
import { formatUtc, type LabeledValue } from "../html";
import { MAX_COMMENT_LENGTH } from "../lib/limits";
import { isPlainObject } from "../lib/objects";
import { renderText } from "../lib/render";
import type { RunRecord } from "../run-db/run-model";
import type { ResumeClaims } from "../tokens";
import { displayText, truncate } from "./display-text";
import { approvalsOfRun } from "./own-decision";
import { shownValues } from "./shown-values";
import type { ApprovalPageView } from "./templates/approval-page";
import type { FormPageView } from "./templates/form-page";

/** The approval step's instructions rendered over the run's context as plain text (the page escapes it). */
function instructionsOf(run: RunRecord, step: ApprovalStep): string {
  const template = step.instructions ?? step.description ?? "";
  try {
    return renderText(template, templateView(run));
  } catch {
    // Saved definitions have valid templates; should one not render, the raw text still helps the approver.
    return template;
  }
}

/** The form page for an open link; `extra` carries what the person posted and the errors after a failed submit. */
export function formView(
  def: Definition,
  step: FormStep,
  claims: ResumeClaims,
  action: string,
  extra: Pick<FormPageView, "values" | "errors" | "formError"> = {},
): FormPageView {
  return {
    workflowName: def.name,
    stepTitle: step.title,
    description: step.description,
    fields: step.fields,
    action,
    expiresAt: claims.expiresAt,
    ...extra,
  };
}

/** The approval page for an open link; `extra` keeps the comment and says what was wrong after a failed submit. */
export function approvalView(
  run: RunRecord,
  def: Definition,
  step: ApprovalStep,
  claims: ResumeClaims,
  action: string,
  extra: Pick<ApprovalPageView, "error" | "comment"> = {},
): ApprovalPageView {
  const approvals = approvalsOfRun(run);
  return {
    workflowName: def.name,
    stepTitle: step.description && step.instructions ? step.description : undefined,
    instructions: instructionsOf(run, step),
    // The step's `show` paths only: the run holds more (API responses, other steps' data) than an approver may see.
    shown: shownValues(run.context, step.show),
    action,
    expiresAt: claims.expiresAt,
    approver: claims.recipient,
    ...(approvals ? { progress: progressText(approvals) } : {}),
    ...extra,
  };
}

/** "1 of 2 approvals are in; 1 more is needed." */
export function progressText({ required, received }: { required: number; received: number }): string {
  const more = Math.max(required - received, 0);
  const inText = `${received} of ${required} approvals ${received === 1 ? "is" : "are"} in`;
  return more === 0 ? `${inText}.` : `${inText}; ${more} more ${more === 1 ? "is" : "are"} needed.`;
}

function fieldValueText(field: FormField, value: unknown): string {
  if (field.type === "boolean") return value === true ? "Yes" : "No";
  return displayText(value) ?? "";
}

/**
 * What this link's own submission recorded, as label/value pairs: the form's fields by label, or the
 * approval's decision, comment and time. Never another recipient's: an approval output decided by
 * someone other than `recipient` shows nothing.
 */
export function ownRecordedValues(
  step: FormStep | ApprovalStep,
  output: unknown,
  recipient: string | undefined,
): LabeledValue[] {
  if (!isPlainObject(output)) return [];
  if (step.type === "approval") {
    if (recipient !== undefined && output.approver !== recipient) return [];
    return decisionValues(output);
  }
  const items: LabeledValue[] = [];
  for (const field of step.fields) {
    if (!Object.hasOwn(output, field.name)) continue;
    items.push({
      label: field.label ?? field.name,
      value: truncate(fieldValueText(field, output[field.name]), MAX_COMMENT_LENGTH),
    });
  }
  return items;
}

function decisionValues(output: Record<string, unknown>): LabeledValue[] {
  const items: LabeledValue[] = [];
  const decision =
    output.decision === "approved" ? "Approved" : output.decision === "rejected" ? "Rejected" : "";
  if (decision) items.push({ label: "Decision", value: decision });
  if (typeof output.comment === "string" && output.comment) {
    items.push({ label: "Comment", value: truncate(output.comment, MAX_COMMENT_LENGTH) });
  }
  if (typeof output.decided_at === "string") {
    items.push({ label: "When", value: formatUtc(Date.parse(output.decided_at)).human });
  }
  return items;
}
