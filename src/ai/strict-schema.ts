/**
 * Does a schema fit OpenAI's strict structured-output subset? Strict mode only accepts: an object root
 * (not anyOf), `additionalProperties: false` and every property required on every object, local `$ref`s,
 * and a limited keyword list. Anything else is sent in JSON mode and checked by our validator only.
 * The keyword list is deliberately conservative: a schema wrongly judged strict is a 400 from the API.
 */
import { escapeToken } from "../lib/json-pointer";
import type { JsonSchema } from "./types";

const ALLOWED = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "anyOf",
  "$ref",
  "$defs",
  "definitions",
  "title",
  "description",
  "$comment",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
]);
/** The `format` values strict mode accepts. */
export const STRICT_FORMATS: ReadonlySet<string> = new Set([
  "date-time",
  "time",
  "date",
  "duration",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "uuid",
]);
const TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
const MAX_OBJECT_DEPTH = 10;
const MAX_PROPERTIES = 5000;
const MAX_ENUM_VALUES = 1000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every reason `schema` cannot be sent with `strict: true` (empty when it can), each with a JSON pointer. */
export function strictIncompatibilities(schema: JsonSchema): string[] {
  const problems: string[] = [];
  if (!isObj(schema)) return ["/: the root must be an object schema"];
  if (schema.type !== "object") problems.push('/: the root must have type "object"');
  if ("anyOf" in schema) problems.push("/: the root must not be anyOf");
  const counts: Counts = { properties: 0, enumValues: 0 };
  const { $schema: _ignored, ...rest } = schema;
  walk(rest, "", 1, problems, counts);
  if (counts.properties > MAX_PROPERTIES) problems.push(`/: more than ${MAX_PROPERTIES} properties in total`);
  if (counts.enumValues > MAX_ENUM_VALUES)
    problems.push(`/: more than ${MAX_ENUM_VALUES} enum values in total`);
  return problems;
}

/** True when the schema can be sent as `response_format: json_schema` with `strict: true`. */
export function isStrictCompatible(schema: JsonSchema): boolean {
  return strictIncompatibilities(schema).length === 0;
}

interface Counts {
  properties: number;
  enumValues: number;
}

function walk(node: unknown, path: string, depth: number, problems: string[], counts: Counts): void {
  const at = path || "/";
  if (!isObj(node)) {
    problems.push(`${at}: boolean schemas are not supported`);
    return;
  }
  for (const key of Object.keys(node)) {
    if (!ALLOWED.has(key)) problems.push(`${at}: keyword "${key}" is not supported`);
  }
  const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
  // Strict mode refuses a schema that says nothing of its type (`{}`, a bare enum).
  if (types.length === 0 && !("$ref" in node) && !("anyOf" in node))
    problems.push(`${at}: a schema needs a type, $ref or anyOf`);
  for (const t of types)
    if (!TYPES.has(t as string)) problems.push(`${at}: unknown type ${JSON.stringify(t)}`);
  if (typeof node.format === "string" && !STRICT_FORMATS.has(node.format)) {
    problems.push(`${at}: format "${node.format}" is not supported`);
  }
  if (typeof node.$ref === "string" && !node.$ref.startsWith("#"))
    problems.push(`${at}: only local $ref is supported`);
  if (Array.isArray(node.enum)) counts.enumValues += node.enum.length;
  for (const key of ["exclusiveMinimum", "exclusiveMaximum"]) {
    if (key in node && typeof node[key] !== "number") problems.push(`${at}: ${key} must be a number`);
  }
  const isObjectSchema = types.includes("object") || "properties" in node;
  if (isObjectSchema) {
    if (depth > MAX_OBJECT_DEPTH) problems.push(`${at}: objects nest deeper than ${MAX_OBJECT_DEPTH} levels`);
    if (node.additionalProperties !== false) problems.push(`${at}: additionalProperties must be false`);
    const props = isObj(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    counts.properties += Object.keys(props).length;
    for (const key of Object.keys(props)) {
      if (!required.has(key)) problems.push(`${at}: property "${key}" must be required`);
    }
    for (const key of required)
      if (!(key in props)) problems.push(`${at}: required "${key}" is not a property`);
    for (const [key, sub] of Object.entries(props))
      walk(sub, `${path}/properties/${escapeToken(key)}`, depth + 1, problems, counts);
  }
  if (node.items !== undefined) {
    if (Array.isArray(node.items)) problems.push(`${at}: tuple items are not supported`);
    else walk(node.items, `${path}/items`, depth, problems, counts);
  }
  if (Array.isArray(node.anyOf)) {
    node.anyOf.forEach((sub, i) => {
      walk(sub, `${path}/anyOf/${i}`, depth, problems, counts);
    });
  }
  for (const defsKey of ["$defs", "definitions"]) {
    const defs = node[defsKey];
    if (isObj(defs)) {
      for (const [key, sub] of Object.entries(defs))
        walk(sub, `${path}/${defsKey}/${escapeToken(key)}`, depth, problems, counts);
    }
  }
}
