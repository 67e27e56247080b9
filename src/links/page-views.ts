import type { AiGenerateStep, ApprovalStep, Definition, FormField, FormStep } from "../definitions/types";
import { templateView } from "../engine/view";
import { formatUtc, type LabeledValue } from "../html";
import { fieldPath } from "../lib/json-pointer";
import { MAX_COMMENT_LENGTH } from "../lib/limits";
import { isPlainObject } from "../lib/objects";
import { renderText } from "../lib/render";
import type { RunRecord } from "../run-db/run-model";
import type { ResumeClaims } from "../tokens";
import { displayText, truncate } from "./display-text";
import { approvalsOfRun } from "./own-decision";
import { schemaFields } from "./schema-fields";
import { shownValues } from "./shown-values";
import type { ApprovalPageView } from "./templates/approval-page";
import type { FixPageView } from "./templates/fix-page";
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

/** What a refused review or fix submit keeps: the posted controls and a message per result path. */
export interface SchemaFormExtra {
  posted?: Map<string, string[]>;
  fieldErrors?: Record<string, string>;
}

/** The approval page for an open link; `extra` keeps the comment and says what was wrong after a failed submit. */
export function approvalView(
  run: RunRecord,
  def: Definition,
  step: ApprovalStep,
  claims: ResumeClaims,
  action: string,
  extra: Pick<ApprovalPageView, "error" | "comment"> & SchemaFormExtra = {},
): ApprovalPageView {
  const { posted, fieldErrors, ...kept } = extra;
  const approvals = approvalsOfRun(run);
  return {
    ...reviewOf(run, def, step, { posted, fieldErrors }),
    workflowName: def.name,
    stepTitle: step.description && step.instructions ? step.description : undefined,
    instructions: instructionsOf(run, step),
    // The step's `show` paths only: the run holds more (API responses, other steps' data) than an approver may see.
    shown: shownValues(run.context, step.show),
    action,
    expiresAt: claims.expiresAt,
    approver: claims.recipient,
    ...(approvals ? { progress: progressText(approvals) } : {}),
    ...kept,
  };
}

/** The reviewed output as the wait showed it, as a form (editable or not), and what the reviewer may decide. */
function reviewOf(
  run: RunRecord,
  def: Definition,
  step: ApprovalStep,
  extra: SchemaFormExtra,
): Pick<ApprovalPageView, "review"> {
  const wait = run.pending?.kind === "human" ? run.pending : undefined;
  const shown = wait?.review;
  const ai = shown ? def.steps.find((s) => s.id === shown.aiStep) : undefined;
  if (!shown || ai?.type !== "ai_generate") return {};
  return {
    review: {
      root: schemaFields(ai.schema, shown.output),
      value: shown.output,
      posted: extra.posted,
      errors: extra.fieldErrors,
      editable: step.editable ?? false,
      contentHash: shown.contentHash,
      revision: shown.revision,
      canSendBack: (step.allow_changes ?? false) && shown.changesLeft > 0,
      changesLeft: shown.changesLeft,
      aiStep: ai.id,
    },
  };
}

/** The fix page: the AI's last output in the schema form, each validation error next to its field. */
export function fixView(
  run: RunRecord,
  def: Definition,
  step: AiGenerateStep,
  claims: ResumeClaims,
  action: string,
  extra: SchemaFormExtra & { error?: string } = {},
): FixPageView {
  const wait = run.pending?.kind === "human" ? run.pending : undefined;
  const fix = wait?.fix ?? { output: null, errors: [] };
  const aiErrors: Record<string, string> = Object.create(null);
  for (const e of fix.errors) {
    const key = fieldPath(e.path, "output");
    if (!Object.hasOwn(aiErrors, key)) aiErrors[key] = e.message;
  }
  const value = extra.posted ? undefined : fix.output;
  return {
    workflowName: def.name,
    stepId: step.id,
    description: step.description,
    root: schemaFields(step.schema, fix.output),
    value,
    posted: extra.posted,
    errors: extra.fieldErrors ?? aiErrors,
    fromAi: extra.fieldErrors === undefined,
    action,
    expiresAt: claims.expiresAt,
    fixer: claims.recipient,
    ...(extra.error ? { error: extra.error } : {}),
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
  step: FormStep | ApprovalStep | AiGenerateStep,
  output: unknown,
  recipient: string | undefined,
): LabeledValue[] {
  if (!isPlainObject(output) || step.type === "ai_generate") return [];
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

const DECISIONS: Record<string, string> = {
  approved: "Approved",
  rejected: "Rejected",
  changes_requested: "Changes requested",
};

function decisionValues(output: Record<string, unknown>): LabeledValue[] {
  const items: LabeledValue[] = [];
  const decision = DECISIONS[String(output.decision)] ?? "";
  if (decision) items.push({ label: "Decision", value: decision });
  if (output.edited === true)
    items.push({ label: "Edited", value: "Yes: your version of the output was used" });
  if (typeof output.comment === "string" && output.comment) {
    items.push({ label: "Comment", value: truncate(output.comment, MAX_COMMENT_LENGTH) });
  }
  if (typeof output.decided_at === "string") {
    items.push({ label: "When", value: formatUtc(Date.parse(output.decided_at)).human });
  }
  return items;
}
