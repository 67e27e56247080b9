/**
 * Checks a value against a SUBSCHEMA of a root schema with the shared validator. A subschema's local
 * refs point into the root document, so the check wraps it with a copy of the root under
 * `$defs.__scaff_root` and rewrites every local ref to point there.
 */
import { compileSchema, type SchemaValidator } from "../../lib/json-schema";
import type { JsonSchema } from "../types";
import { isObject } from "./flatten";

const ROOT_KEY = "__scaff_root";

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#")
        ? `#/$defs/${ROOT_KEY}${value.slice(1)}`
        : rewriteRefs(value);
  }
  return out;
}

export type SubschemaCheck = (sub: JsonSchema, value: unknown) => boolean;

/** Builds a checker for subschemas of `root`; compiled validators are cached per subschema object. */
export function makeSubschemaCheck(root: JsonSchema): SubschemaCheck {
  const usesRefs = isObject(root) && JSON.stringify(root).includes('"$ref"');
  const rootCopy = usesRefs ? (rewriteRefs(root) as Record<string, unknown>) : {};
  delete rootCopy.$id;
  delete rootCopy.$schema;
  const cache = new Map<object, SchemaValidator>();
  const validatorFor = (sub: Record<string, unknown>): SchemaValidator => {
    if (sub === root || !usesRefs) return compileSchema(sub);
    let validator = cache.get(sub);
    if (!validator) {
      const rewritten = rewriteRefs(sub) as Record<string, unknown>;
      const defs = isObject(rewritten.$defs) ? rewritten.$defs : {};
      validator = compileSchema({ ...rewritten, $defs: { ...defs, [ROOT_KEY]: rootCopy } });
      cache.set(sub, validator);
    }
    return validator;
  };
  return (sub, value) => {
    if (typeof sub === "boolean") return sub;
    const result = validatorFor(sub)(value);
    // A schema the validator cannot compile says nothing about the value: let the final check decide.
    return result.valid || result.errors.every((e) => e.keyword === "schema");
  };
}
