/**
 * Checks that a value is a usable JSON Schema (draft 2020-12). @cfworker/json-schema ships no
 * meta-schema, and a hand-written structural check gives clearer messages than meta-schema output.
 * Unknown keywords are allowed (the spec ignores them); known keywords must have the right shape.
 */
import { dereference, type Schema } from "@cfworker/json-schema";
import { escapeToken } from "./json-pointer";
import type { SchemaError } from "./json-schema";
import { patternProblem } from "./re2";

const TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
const SUBSCHEMA = new Set([
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "propertyNames",
  "contains",
  "not",
  "if",
  "then",
  "else",
  "contentSchema",
  "items",
]);
const SUBSCHEMA_LIST = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SUBSCHEMA_MAP = new Set([
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
]);
const NUMBER = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]);
const COUNT = new Set([
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "minContains",
  "maxContains",
]);
const STRING = new Set([
  "$id",
  "$schema",
  "$anchor",
  "$comment",
  "$ref",
  "format",
  "title",
  "description",
  "contentEncoding",
  "contentMediaType",
]);
const BOOLEAN = new Set(["uniqueItems", "deprecated", "readOnly", "writeOnly"]);
/** Keywords the validator cannot evaluate: accepting them would silently skip a user's constraint. */
const UNSUPPORTED = new Set(["$dynamicRef", "$dynamicAnchor"]);
const MAX_ISSUES = 50;
/** Deeper schemas are refused: nothing real needs them, and every consumer recurses. */
export const MAX_SCHEMA_DEPTH = 32;

/** Returns every problem that makes `schema` an invalid JSON Schema; empty when it is valid. */
export function checkSchemaIsValid(schema: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  const refs: Array<{ node: Record<string, unknown>; path: string }> = [];
  walk(schema, "", errors, refs);
  if (errors.length === 0) checkRefs(schema as Schema, refs, errors);
  return errors.slice(0, MAX_ISSUES);
}

type Refs = Array<{ node: Record<string, unknown>; path: string }>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function walk(schema: unknown, path: string, errors: SchemaError[], refs: Refs, depth = 0): void {
  if (errors.length >= MAX_ISSUES) return;
  if (typeof schema === "boolean") return;
  if (depth > MAX_SCHEMA_DEPTH) {
    errors.push({ path, keyword: "schema", message: `Schemas may nest at most ${MAX_SCHEMA_DEPTH} levels.` });
    return;
  }
  if (!isObject(schema)) {
    errors.push({ path, keyword: "schema", message: "A schema must be an object or a boolean." });
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    checkKeyword(key, value, `${path}/${escapeToken(key)}`, errors, refs, depth + 1);
  }
  if (typeof schema.$ref === "string") refs.push({ node: schema, path: `${path}/$ref` });
}

function checkKeyword(
  key: string,
  value: unknown,
  path: string,
  errors: SchemaError[],
  refs: Refs,
  depth: number,
): void {
  if (key === "items" && Array.isArray(value)) {
    errors.push({
      path,
      keyword: key,
      message: '"items" must be a schema in draft 2020-12; use "prefixItems".',
    });
  } else if (SUBSCHEMA.has(key)) {
    walk(value, path, errors, refs, depth);
  } else if (SUBSCHEMA_LIST.has(key) && Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => {
      walk(v, `${path}/${i}`, errors, refs, depth);
    });
  } else if (SUBSCHEMA_MAP.has(key) && isObject(value)) {
    for (const [name, sub] of Object.entries(value)) {
      const at = `${path}/${escapeToken(name)}`;
      const problem = key === "patternProperties" ? patternProblem(name) : undefined;
      if (problem) errors.push({ path: at, keyword: key, message: `The pattern ${problem}.` });
      walk(sub, at, errors, refs, depth);
    }
  } else {
    const message = keywordProblem(key, value);
    if (message !== undefined) errors.push({ path, keyword: key, message });
  }
}

/** What is wrong with a non-schema keyword's value; undefined when it is fine or unknown. */
function keywordProblem(key: string, value: unknown): string | undefined {
  if (UNSUPPORTED.has(key)) return `"${key}" is not supported.`;
  if (SUBSCHEMA_LIST.has(key)) return `"${key}" must be a non-empty array of schemas.`;
  if (SUBSCHEMA_MAP.has(key)) return `"${key}" must be an object whose values are schemas.`;
  if (key === "type") return typeProblem(value);
  if (key === "required" && !isUniqueStrings(value)) return '"required" must be an array of unique strings.';
  if (key === "dependentRequired" && !(isObject(value) && Object.values(value).every(isUniqueStrings))) {
    return '"dependentRequired" must map property names to arrays of unique strings.';
  }
  if ((key === "enum" || key === "examples") && !Array.isArray(value)) return `"${key}" must be an array.`;
  if (NUMBER.has(key) && !isFiniteNumber(value)) return `"${key}" must be a number.`;
  if (key === "multipleOf" && !(isFiniteNumber(value) && value > 0)) {
    return '"multipleOf" must be a number greater than 0.';
  }
  if (COUNT.has(key) && !(Number.isInteger(value) && (value as number) >= 0)) {
    return `"${key}" must be a non-negative integer.`;
  }
  if (STRING.has(key) && typeof value !== "string") return `"${key}" must be a string.`;
  if (BOOLEAN.has(key) && typeof value !== "boolean") return `"${key}" must be a boolean.`;
  if (key === "pattern") {
    if (typeof value !== "string") return '"pattern" must be a string (a regular expression).';
    const problem = patternProblem(value);
    if (problem) return `"pattern" ${problem}.`;
  }
  return undefined;
}

function typeProblem(value: unknown): string | undefined {
  const list = Array.isArray(value) ? value : [value];
  const bad = list.find((t) => typeof t !== "string" || !TYPES.has(t));
  if (list.length === 0 || bad !== undefined) {
    const shown = bad === undefined ? "[]" : JSON.stringify(bad);
    return `Unknown type ${shown}; use one of ${[...TYPES].join(", ")}.`;
  }
  if (new Set(list).size !== list.length) return '"type" must not repeat a type.';
  return undefined;
}

/** Every $ref must point inside this schema: there is no network access to fetch others. */
function checkRefs(schema: Schema, refs: Refs, errors: SchemaError[]): void {
  let lookup: Record<string, unknown>;
  const copy = structuredClone(schema);
  try {
    lookup = dereference(copy);
  } catch (e) {
    errors.push({ path: "", keyword: "$id", message: e instanceof Error ? e.message : String(e) });
    return;
  }
  // Re-walk the annotated copy: dereference() stored each $ref's absolute URI on it.
  const annotated: Refs = [];
  walk(copy, "", [], annotated);
  for (const [i, ref] of annotated.entries()) {
    const target = (ref.node as { __absolute_ref__?: string }).__absolute_ref__;
    if (target === undefined || lookup[target] === undefined) {
      const path = refs[i]?.path ?? ref.path;
      errors.push({
        path,
        keyword: "$ref",
        message: `"${String(ref.node.$ref)}" does not resolve inside this schema.`,
      });
    } else if (isRefCycle(ref.node, lookup)) {
      errors.push({ path: ref.path, keyword: "$ref", message: "$ref points back to itself." });
    }
  }
}

/** Following $ref from schema to schema without consuming the value, back to the start: endless. */
function isRefCycle(start: Record<string, unknown>, lookup: Record<string, unknown>): boolean {
  const seen = new Set<unknown>([start]);
  let node: unknown = start;
  while (isObject(node) && typeof node.$ref === "string") {
    node = lookup[(node as { __absolute_ref__?: string }).__absolute_ref__ ?? ""];
    if (seen.has(node)) return true;
    seen.add(node);
  }
  return false;
}

function isUniqueStrings(v: unknown): boolean {
  return Array.isArray(v) && v.every((s) => typeof s === "string") && new Set(v).size === v.length;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}
