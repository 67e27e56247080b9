/**
 * Form fields as data: compiled to one JSON Schema (checked by lib/json-schema, the same validator as AI
 * output) plus the coercion an HTML post needs, since browsers send every value as a string.
 */
import type { FormField } from "../definitions/types";

export type FormPost = Record<string, string | string[] | undefined>;

const SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema";
const TRUE_VALUES = new Set(["on", "true", "1"]);
const FALSE_VALUES = new Set(["off", "false", "0"]);
// JSON-style decimal numbers only: "0x10", "1e", "Infinity" or "" stay strings and fail validation.
const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const schemas = new WeakMap<readonly FormField[], Record<string, unknown>>();

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function fieldSchema(field: FormField): Record<string, unknown> {
  const schema: Record<string, unknown> = { type: field.type };
  if (field.label !== undefined) schema.title = field.label;
  if (field.help !== undefined) schema.description = field.help;
  if (field.enum !== undefined) schema.enum = [...field.enum];
  if (field.pattern !== undefined) schema.pattern = field.pattern;
  if (field.format !== undefined) schema.format = field.format;
  if (field.min_length !== undefined) schema.minLength = field.min_length;
  if (field.max_length !== undefined) schema.maxLength = field.max_length;
  if (field.minimum !== undefined) schema.minimum = field.minimum;
  if (field.maximum !== undefined) schema.maximum = field.maximum;
  if (field.default !== undefined) schema.default = field.default;
  return schema;
}

/**
 * Compiles form fields to a draft 2020-12 object schema (unknown fields rejected). The result is frozen
 * and memoised per fields array, so compileSchema's own cache hits on every later resume.
 */
export function fieldsToJsonSchema(fields: readonly FormField[]): Record<string, unknown> {
  const cached = schemas.get(fields);
  if (cached) return cached;
  const schema = deepFreeze({
    $schema: SCHEMA_DRAFT,
    type: "object",
    // fromEntries defines own properties: a field named "__proto__" stays a field.
    properties: Object.fromEntries(fields.map((field) => [field.name, fieldSchema(field)])),
    required: fields.filter((field) => field.required).map((field) => field.name),
    additionalProperties: false,
  });
  schemas.set(fields, schema);
  return schema;
}

/** A single posted value; several values for one scalar field stay a list so validation reports it. */
function single(value: string | string[]): string | string[] {
  return Array.isArray(value) && value.length === 1 ? (value[0] ?? "") : value;
}

function coerceNumber(text: string): number | string {
  const trimmed = text.trim();
  if (!NUMBER_TEXT.test(trimmed)) return text;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : text;
}

function coerceBoolean(values: string | string[]): boolean | string | string[] {
  // A hidden "false" input before a checkbox posts ["false", "on"] when checked: any true value wins.
  const list = (Array.isArray(values) ? values : [values]).map((v) => v.trim().toLowerCase());
  if (list.some((v) => TRUE_VALUES.has(v))) return true;
  if (list.every((v) => v === "" || FALSE_VALUES.has(v))) return false;
  return values;
}

/** A posted "2" for an enum that lists the number 2 becomes 2, whatever the field's type. */
function coerceEnum(field: FormField, value: unknown): unknown {
  if (typeof value !== "string" || field.enum === undefined) return value;
  const match = field.enum.find((option) => typeof option === "number" && String(option) === value.trim());
  return match ?? value;
}

function coerceField(field: FormField, raw: string | string[]): unknown {
  if (field.type === "boolean") return coerceBoolean(raw);
  const value = single(raw);
  if (typeof value !== "string") return value;
  if (field.type === "integer" || field.type === "number") return coerceNumber(value);
  return coerceEnum(field, value);
}

const isBlank = (value: string | string[]): boolean =>
  Array.isArray(value) ? value.every((v) => v.trim() === "") : value.trim() === "";

/**
 * Turns an HTML form post into typed data for validation: numbers parsed (unparseable text is kept so the
 * validator names the field), checkboxes become booleans (absent = false), blank inputs count as absent,
 * then defaults fill absent optional fields. Keys that are not fields pass through, so validation rejects them.
 */
export function coerceFormValues(fields: readonly FormField[], values: FormPost): Record<string, unknown> {
  const byName = new Map(fields.map((field) => [field.name, field]));
  const out: Record<string, unknown> = {};
  const set = (key: string, value: unknown): void => {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const [key, raw] of Object.entries(values)) {
    if (raw === undefined) continue;
    const field = byName.get(key);
    if (!field) {
      set(key, raw);
      continue;
    }
    // A blank optional input means "not given"; a blank required one is reported as missing, not as "".
    if (field.type !== "boolean" && isBlank(raw)) continue;
    set(key, coerceField(field, raw));
  }
  for (const field of fields) {
    // An unchecked checkbox is not posted at all: for a form post, absent means false.
    if (field.type === "boolean" && !Object.hasOwn(out, field.name)) set(field.name, false);
  }
  return applyDefaults(fields, out);
}

/** Returns a copy of `data` with each absent optional field set to its `default` (API/JSON resumes). */
export function applyDefaults(
  fields: readonly FormField[],
  data: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (key: string, value: unknown): void => {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const [key, value] of Object.entries(data)) set(key, value);
  for (const field of fields) {
    if (field.required || field.default === undefined) continue;
    if (!Object.hasOwn(out, field.name) || out[field.name] === undefined) set(field.name, field.default);
  }
  return out;
}
