import type { RunRecord } from "../db/run-queries";
import type { ApprovalStep, Definition, FormField, FormStep } from "../definitions/types";
import { templateView } from "../engine/view";
import { formatUtc, type LabeledValue } from "../html";
import { MAX_COMMENT_LENGTH } from "../lib/limits";
import { isPlainObject } from "../lib/objects";
import { renderText } from "../lib/render";
import type { ResumeClaims } from "../tokens";
import type { ApprovalPageView } from "./templates/approval-page";
import type { FormPageView } from "./templates/form-page";

/** Longest value shown in a page's details list; the full data stays available through the API. */
const MAX_VALUE_CHARS = 300;
/** Most details shown to an approver: enough context to decide, not a data dump. */
const MAX_CONTEXT_ITEMS = 20;

const truncate = (text: string, max = MAX_VALUE_CHARS): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return undefined;
}

/** A value as one line of the details list: scalars as text, lists of scalars joined, anything deeper as JSON. */
function displayText(value: unknown): string | undefined {
  const scalar = scalarText(value);
  if (scalar !== undefined) return scalar;
  if (Array.isArray(value) && value.every((v) => scalarText(v) !== undefined)) {
    return value.map((v) => scalarText(v)).join(", ");
  }
  return value === null || value === undefined ? undefined : JSON.stringify(value);
}

/** Form field labels by name across the workflow, so values a form stored show under their label. */
function fieldLabels(def: Definition): Map<string, string> {
  const labels = new Map<string, string>();
  for (const step of def.steps) {
    if (step.type !== "form") continue;
    for (const f of step.fields) if (f.label && !labels.has(f.name)) labels.set(f.name, f.label);
  }
  return labels;
}

/**
 * What an approver sees besides the instructions: the run's runtime values (inputs and earlier steps'
 * results), one level deep (`draft.title`), each truncated, at most MAX_CONTEXT_ITEMS.
 */
export function contextValues(def: Definition, runtime: Record<string, unknown>): LabeledValue[] {
  const labels = fieldLabels(def);
  const items: LabeledValue[] = [];
  let hidden = 0;
  const add = (label: string, value: unknown) => {
    const text = displayText(value);
    if (text === undefined) return;
    if (items.length >= MAX_CONTEXT_ITEMS) hidden++;
    else items.push({ label: truncate(label, 80), value: truncate(text) });
  };
  for (const [key, value] of Object.entries(runtime)) {
    if (isPlainObject(value)) {
      for (const [inner, innerValue] of Object.entries(value)) add(`${key}.${inner}`, innerValue);
    } else {
      add(labels.get(key) ?? key, value);
    }
  }
  if (hidden > 0) items.push({ label: "More", value: `${hidden} more values are not shown here.` });
  return items;
}

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
  return {
    workflowName: def.name,
    stepTitle: step.description && step.instructions ? step.description : undefined,
    instructions: instructionsOf(run, step),
    context: contextValues(def, run.context.runtime),
    action,
    expiresAt: claims.expiresAt,
    approver: claims.recipient,
    ...extra,
  };
}

function fieldValueText(field: FormField, value: unknown): string {
  if (field.type === "boolean") return value === true ? "Yes" : "No";
  return displayText(value) ?? "";
}

/** What a wait recorded, as label/value pairs: the form's fields by label, or the approval's decision. */
export function recordedValues(step: FormStep | ApprovalStep, output: unknown): LabeledValue[] {
  if (!isPlainObject(output)) return [];
  const items: LabeledValue[] = [];
  if (step.type === "approval") {
    const decision =
      output.decision === "approved" ? "Approved" : output.decision === "rejected" ? "Rejected" : "";
    if (decision) items.push({ label: "Decision", value: decision });
    if (output.timed_out === true) {
      items.push({ label: "By", value: "Nobody answered in time; the step's timeout decided." });
    } else if (typeof output.approver === "string") {
      items.push({ label: "By", value: output.approver });
    }
    if (typeof output.comment === "string" && output.comment) {
      items.push({ label: "Comment", value: truncate(output.comment, MAX_COMMENT_LENGTH) });
    }
    if (typeof output.decided_at === "string") {
      items.push({ label: "When", value: formatUtc(Date.parse(output.decided_at)).human });
    }
    return items;
  }
  for (const field of step.fields) {
    if (!Object.hasOwn(output, field.name)) continue;
    items.push({
      label: field.label ?? field.name,
      value: truncate(fieldValueText(field, output[field.name]), MAX_COMMENT_LENGTH),
    });
  }
  if (output.timed_out === true) {
    items.push({ label: "Note", value: "Nobody answered in time; the defaults were recorded." });
  }
  return items;
}
