/**
 * The form a JSON Schema becomes on a review or fix page (docs/review.md): objects as fieldsets,
 * strings, numbers, integers, booleans and enums as inputs, arrays of scalars as lists, anything
 * deeper as a JSON editor. Each control posts under its JSON Pointer below `o` (`o/title`), so any
 * property name survives the round trip.
 */
import type { JsonSchema } from "../definitions/types";
import { escapeToken, fieldPath, type PathSegment } from "../lib/json-pointer";
import { isPlainObject } from "../lib/objects";

type Scalar = string | number | boolean | null;

/** One control (or fieldset) of the generated form. */
export type SchemaNode =
  | { kind: "text"; long: boolean; maxLength?: number; minLength?: number }
  | { kind: "number"; integer: boolean; minimum?: number; maximum?: number }
  | { kind: "boolean" }
  | { kind: "enum"; options: Scalar[] }
  | { kind: "list"; item: "string" | "number" | "integer" }
  | { kind: "object"; children: SchemaField[] }
  | { kind: "json" };

/** A node at its place in the output. */
export type SchemaField = SchemaNode & {
  path: PathSegment[];
  /** The property name (the root has none). */
  label: string;
  required: boolean;
  description?: string;
};

/** Above this many characters (or with a line break) a string is edited in a textarea. */
const SHORT_TEXT = 80;
/** A maxLength above this is prose, not a one-line value. */
const LONG_LIMIT = 200;

const schemaObject = (s: JsonSchema): Record<string, unknown> => (typeof s === "object" ? s : {});
const typeOf = (s: Record<string, unknown>): string | undefined =>
  typeof s.type === "string" ? s.type : undefined;
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const isScalar = (v: unknown): v is Scalar =>
  v === null || ["string", "number", "boolean"].includes(typeof v);

/** The JSON Pointer of a place in the output: `["meta", "author"]` → `/meta/author`. */
export const pointerOf = (path: readonly PathSegment[]): string =>
  path.map((p) => `/${escapeToken(String(p))}`).join("");

/** The name a control posts under: `o` + the JSON Pointer of its place. */
export const controlName = (path: readonly PathSegment[]): string => `o${pointerOf(path)}`;

/** The result path of a field, as 422 details name it: `output.meta.author`, `output.tags[0]`. */
export const errorKey = (field: { path: readonly PathSegment[] }): string =>
  fieldPath(pointerOf(field.path), "output");

/** The form for `schema`, shaped by the value it shows (long strings get a textarea). */
export function schemaFields(schema: JsonSchema, value: unknown): SchemaField {
  return nodeOf(schema, value, [], "", true);
}

function nodeOf(
  schema: JsonSchema,
  value: unknown,
  path: PathSegment[],
  label: string,
  required: boolean,
): SchemaField {
  const s = schemaObject(schema);
  const at = {
    path,
    label,
    required,
    ...(typeof s.description === "string" ? { description: s.description } : {}),
  };
  if (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every(isScalar)) {
    return { ...at, kind: "enum", options: s.enum };
  }
  switch (typeOf(s)) {
    case "string": {
      const maxLength = num(s.maxLength);
      const text = typeof value === "string" ? value : "";
      // Unbounded prose (no maxLength, no format) or text already long: a textarea.
      const unbounded = maxLength === undefined && typeof s.format !== "string";
      const long =
        unbounded || (maxLength ?? 0) > LONG_LIMIT || text.length > SHORT_TEXT || text.includes("\n");
      return { ...at, kind: "text", long, maxLength, minLength: num(s.minLength) };
    }
    case "number":
    case "integer":
      return {
        ...at,
        kind: "number",
        integer: s.type === "integer",
        minimum: num(s.minimum),
        maximum: num(s.maximum),
      };
    case "boolean":
      return { ...at, kind: "boolean" };
    case "array": {
      const item = typeOf(schemaObject((s.items ?? {}) as JsonSchema));
      const plain = Object.keys(schemaObject((s.items ?? {}) as JsonSchema)).every((k) =>
        ["type", "minLength", "maxLength", "minimum", "maximum", "description", "format"].includes(k),
      );
      if (plain && (item === "string" || item === "number" || item === "integer"))
        return { ...at, kind: "list", item };
      return { ...at, kind: "json" };
    }
    case "object":
      return objectNode(s, value, at);
    default:
      return { ...at, kind: "json" };
  }
}

/** A fieldset when the schema lists the properties and the value holds no others; else a JSON editor. */
function objectNode(s: Record<string, unknown>, value: unknown, at: Omit<SchemaField, "kind">): SchemaField {
  const properties = isPlainObject(s.properties) ? (s.properties as Record<string, JsonSchema>) : null;
  const current = isPlainObject(value) ? value : {};
  if (!properties || Object.keys(current).some((k) => !Object.hasOwn(properties, k)))
    return { ...at, kind: "json" };
  const required = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
  const children = Object.entries(properties).map(([key, child]) =>
    nodeOf(
      child,
      Object.hasOwn(current, key) ? current[key] : undefined,
      [...at.path, key],
      key,
      required.has(key),
    ),
  );
  return { ...at, kind: "object", children };
}
