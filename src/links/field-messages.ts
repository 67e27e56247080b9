import type { FormField } from "../definitions/types";
import type { ErrorDetail } from "../lib/errors";

const FORMAT_NAMES: Record<string, string> = {
  email: "an email address",
  uri: "a web address (https://…)",
  date: "a date",
  "date-time": "a date and time",
};

/** A message a person filling in the form understands, from the field's definition and the failed keyword. */
function messageFor(field: FormField, detail: ErrorDetail): string {
  switch (detail.keyword) {
    case "required":
      return "This field is required.";
    case "minLength":
      return `Enter at least ${field.min_length} characters.`;
    case "maxLength":
      return `Enter at most ${field.max_length} characters.`;
    case "minimum":
      return `Enter ${field.minimum} or more.`;
    case "maximum":
      return `Enter ${field.maximum} or less.`;
    case "type":
      if (field.type === "integer") return "Enter a whole number.";
      if (field.type === "number") return "Enter a number.";
      if (field.type === "boolean") return "Tick the box or leave it empty.";
      return "Enter text.";
    case "enum":
      return "Choose one of the options.";
    case "format":
      return field.format ? `Enter ${FORMAT_NAMES[field.format] ?? "a valid value"}.` : detail.message;
    case "pattern":
      return "This does not have the expected format.";
    default:
      return detail.message;
  }
}

/**
 * Turns the resume validation details (`path` = field name) into one message per field, keyed by
 * field name; anything not about a declared field is keyed by its path so the page lists it on top.
 */
export function fieldMessages(
  fields: readonly FormField[],
  details: readonly ErrorDetail[],
): Record<string, string> {
  const byName = new Map(fields.map((f) => [f.name, f]));
  // No prototype: a field named "__proto__" or "constructor" is stored as plain data.
  const out: Record<string, string> = Object.create(null);
  for (const detail of details) {
    const path = typeof detail.path === "string" ? detail.path : "";
    const field = byName.get(path);
    const key = field ? field.name : path === "data" ? "" : path;
    if (Object.hasOwn(out, key)) continue; // the first problem of a field is enough to fix it
    out[key] = field ? messageFor(field, detail) : detail.message;
  }
  return out;
}

/**
 * What the person typed, as the inputs should show it again after an error: the raw posted strings
 * (not the coerced values, so "12abc" stays "12abc"), and `false` for an unticked checkbox so its
 * default does not come back.
 */
export function postedValues(fields: readonly FormField[], form: FormData): Record<string, unknown> {
  const values: Record<string, unknown> = Object.create(null);
  for (const field of fields) {
    const sent = form.get(field.name);
    if (typeof sent === "string") values[field.name] = sent;
    else if (field.type === "boolean") values[field.name] = false;
  }
  return values;
}
