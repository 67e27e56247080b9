/**
 * Turns a step's JSON Schema into OpenAI's strict structured-output subset, so the model is constrained
 * by the API instead of only told: keywords strict mode lacks (minLength, maxLength, unsupported
 * formats, ...) are moved into `description`, every object is closed (`additionalProperties: false`),
 * every property is required and the optional ones accept `null` instead, and `oneOf` becomes `anyOf`.
 * The result only guides the model: the answer is still validated against the original schema, after
 * the nulls standing for absent properties are dropped (strict-nulls.ts). What cannot be relaxed this
 * way (patternProperties, allOf, not, if/then/else, a schema as additionalProperties, ...) is left as it
 * is, so strictIncompatibilities reports it and the provider falls back to JSON mode.
 */
import { STRICT_FORMATS, strictIncompatibilities } from "./strict-schema";
import type { JsonSchema } from "./types";

/** Keywords strict mode lacks whose meaning fits in words: described, then checked by our validator. */
const DESCRIBED = [
  "minLength",
  "maxLength",
  "minProperties",
  "maxProperties",
  "uniqueItems",
  "default",
  "examples",
  "readOnly",
  "writeOnly",
  "deprecated",
  "contentMediaType",
  "contentEncoding",
];
/** Metadata with no meaning for the model; dropped. */
const DROPPED = ["$schema", "$id", "$anchor"];
const SUBSCHEMA_MAPS = ["properties", "$defs", "definitions"];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export type StrictTransform = { ok: true; schema: Obj } | { ok: false; problems: string[] };

/** The strict form of `schema`, or why none exists (then the caller uses JSON mode). Pure. */
export function toStrictSchema(schema: JsonSchema): StrictTransform {
  if (!isObj(schema)) return { ok: false, problems: ["/: the root must be an object schema"] };
  const strict = transform(schema);
  const problems = strictIncompatibilities(strict);
  return problems.length === 0 ? { ok: true, schema: strict } : { ok: false, problems };
}

function transform(node: unknown): Obj {
  if (!isObj(node)) return node as Obj;
  const out: Obj = {};
  const notes: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.includes(key)) continue;
    if (DESCRIBED.includes(key) || (key === "format" && !STRICT_FORMATS.has(String(value)))) {
      notes.push(`${key}: ${JSON.stringify(value)}`);
    } else if (key === "oneOf" && !("anyOf" in node)) {
      out.anyOf = transformList(value);
    } else if (SUBSCHEMA_MAPS.includes(key) && isObj(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, transform(v)]));
    } else if (key === "items" && isObj(value)) {
      out.items = transform(value);
    } else if (key === "anyOf") {
      out.anyOf = transformList(value);
    } else {
      out[key] = value;
    }
  }
  if (notes.length > 0) {
    const described = typeof out.description === "string" ? `${out.description} ` : "";
    out.description = `${described}(${notes.join(", ")})`;
  }
  // An object without `properties` is a map of anything: closing it would change its meaning.
  if (isObj(out.properties)) closeObject(out, node);
  return out;
}

function transformList(value: unknown): unknown {
  return Array.isArray(value) ? value.map(transform) : value;
}

/** Closes an object and makes every property required, the optional ones nullable. */
function closeObject(out: Obj, original: Obj): void {
  if (out.type === undefined) out.type = "object";
  if (out.additionalProperties === undefined || out.additionalProperties === true) {
    out.additionalProperties = false;
  }
  const props = out.properties as Obj;
  const required = new Set(Array.isArray(original.required) ? (original.required as unknown[]) : []);
  for (const key of Object.keys(props)) {
    if (!required.has(key)) props[key] = nullable(props[key]);
  }
  out.required = Object.keys(props);
}

/** `node` also accepting null: `null` added to its type (and enum), else `anyOf: [node, {type: null}]`. */
export function nullable(node: unknown): unknown {
  if (!isObj(node)) return node;
  const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
  if (types.includes("null")) return node;
  if (types.length > 0 && !("$ref" in node) && !("anyOf" in node)) {
    const out: Obj = { ...node, type: [...types, "null"] };
    if (Array.isArray(node.enum) && !node.enum.includes(null)) out.enum = [...node.enum, null];
    if ("const" in node) return { anyOf: [node, { type: "null" }] };
    return out;
  }
  if (Array.isArray(node.anyOf) && Object.keys(node).length === 1) {
    return { anyOf: [...node.anyOf, { type: "null" }] };
  }
  return { anyOf: [node, { type: "null" }] };
}
