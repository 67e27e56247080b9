/**
 * The one JSON Schema validator of Scaff (draft 2020-12, @cfworker/json-schema): AI output, form data
 * and workflow inputs are all checked here, so every caller reports errors in the same shape.
 */
import { type OutputUnit, type Schema, Validator } from "@cfworker/json-schema";
import type { JsonSchema } from "../definitions/types";
import { escapeToken, fragmentPointer } from "./json-pointer";
import { installLinearFormats } from "./json-schema-formats";
import { withLinearRegExp } from "./re2";

export { checkSchemaIsValid } from "./json-schema-check";

/** One validation problem: `path` is a JSON pointer into the instance ("" is the root). */
export interface SchemaError {
  path: string;
  keyword: string;
  message: string;
}

export type SchemaValidation = { valid: true } | { valid: false; errors: SchemaError[] };
export type SchemaValidator = (value: unknown) => SchemaValidation;

/** At most this many errors are reported for one instance; the rest is noise for a user or a model. */
export const MAX_SCHEMA_ERRORS = 20;

/** Keywords whose error only says "a child failed"; dropped when the child's own error is reported. */
const WRAPPERS = new Set([
  "properties",
  "patternProperties",
  "items",
  "prefixItems",
  "allOf",
  "$ref",
  "$recursiveRef",
  "dependentSchemas",
  "then",
  "else",
  "contains",
]);
/** Keywords whose sub-errors describe failed alternatives: the summary is clearer than the branches. */
const ALTERNATIVES = new Set(["anyOf", "oneOf", "not"]);

const cache = new WeakMap<object, SchemaValidator>();
const alwaysValid: SchemaValidator = () => ({ valid: true });
const neverValid: SchemaValidator = () => ({
  valid: false,
  errors: [{ path: "", keyword: "false", message: "No value is allowed here." }],
});

/**
 * Compiles a JSON Schema (draft 2020-12) into a reusable validator; compiled validators are cached.
 * `pattern` and `patternProperties` run on RE2 (lib/re2), `format` checks are linear.
 */
export function compileSchema(schema: JsonSchema): SchemaValidator {
  installLinearFormats();
  if (schema === true) return alwaysValid;
  if (schema === false) return neverValid;
  const cached = cache.get(schema);
  if (cached) return cached;
  // The validator annotates the schema objects it is given; keep the caller's (stored) schema untouched.
  const validator = new Validator(structuredClone(schema) as Schema, "2020-12", false);
  const compiled: SchemaValidator = (value) => {
    let units: OutputUnit[];
    try {
      // cfworker builds `new RegExp(pattern)` itself: give it RE2 for the length of this call.
      const result = withLinearRegExp(() => validator.validate(value));
      if (result.valid) return { valid: true };
      units = result.errors;
    } catch (e) {
      // Unresolvable $ref, endless $ref recursion or a non-JSON value: report, never crash the caller.
      const message = e instanceof RangeError ? "Schema recursion is too deep." : errorText(e);
      return { valid: false, errors: [{ path: "", keyword: "schema", message }] };
    }
    return { valid: false, errors: simplifyErrors(units) };
  };
  cache.set(schema, compiled);
  return compiled;
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // cfworker appends the list of known schema URIs: internal detail, not useful to a user.
  return text.split("\n")[0] ?? text;
}

/** Turns cfworker's output units into user-facing errors: specific, de-duplicated, capped. */
function simplifyErrors(units: OutputUnit[]): SchemaError[] {
  const branchRoots = units.filter((u) => ALTERNATIVES.has(u.keyword)).map((u) => `${u.keywordLocation}/`);
  const kept = units.filter((u) => !branchRoots.some((root) => u.keywordLocation.startsWith(root)));
  const out: SchemaError[] = [];
  const seen = new Set<string>();
  for (const [i, unit] of kept.entries()) {
    const hasChild = kept.some((o) => o !== unit && o.keywordLocation.startsWith(`${unit.keywordLocation}/`));
    if (WRAPPERS.has(unit.keyword) && hasChild) continue;
    // A `false` schema below additionalProperties / unevaluatedProperties: the parent says it better.
    if (unit.keyword === "false" && isDisallowedProperty(kept[i - 1])) continue;
    const error = toSchemaError(unit, kept[i + 1]);
    const key = `${error.path}\u0000${error.keyword}\u0000${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(error);
    if (out.length >= MAX_SCHEMA_ERRORS) break;
  }
  return out;
}

function isDisallowedProperty(unit: OutputUnit | undefined): boolean {
  return unit?.keyword === "additionalProperties" || unit?.keyword === "unevaluatedProperties";
}

function toSchemaError(unit: OutputUnit, next: OutputUnit | undefined): SchemaError {
  const path = fragmentPointer(unit.instanceLocation);
  if (unit.keyword === "required") {
    const name = /property "(.*)"\.$/.exec(unit.error)?.[1];
    if (name !== undefined) {
      return { path: `${path}/${escapeToken(name)}`, keyword: "required", message: "Is required." };
    }
  }
  if (isDisallowedProperty(unit) && next?.keyword === "false") {
    return {
      path: fragmentPointer(next.instanceLocation),
      keyword: unit.keyword,
      message: "Is not allowed.",
    };
  }
  if (unit.keyword === "false") return { path, keyword: "false", message: "No value is allowed here." };
  return { path, keyword: unit.keyword, message: unit.error.replace(/^Instance /, "Value ") };
}
