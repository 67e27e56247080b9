/**
 * Turns a schema into one "flat" set of plain keywords: `$ref` is resolved (local refs only), `allOf`
 * is merged in, and the keywords that need a decision (`anyOf`, `oneOf`, `not`, `if`) are set aside for
 * the generator. Merging is an approximation; the generator verifies every value it returns.
 */
import { fragmentPointer, pointerTokens } from "../../lib/json-pointer";
import type { JsonSchema } from "../types";

export type SchemaObject = Record<string, unknown>;

export interface Flat {
  s: SchemaObject;
  choices: Array<{ kind: "anyOf" | "oneOf"; branches: JsonSchema[] }>;
  nots: JsonSchema[];
  conds: Array<{ test: JsonSchema; onTrue?: JsonSchema; onFalse?: JsonSchema }>;
  /** Every `pattern` met while merging (`s.pattern` holds only one). */
  patterns: string[];
  /** A `false` schema was merged in: no value can match. */
  never: boolean;
}

/** Nested `$ref` hops followed before giving up (guards `{$ref: "#"}` loops). */
const MAX_REF_HOPS = 32;
const SET_ASIDE = new Set([
  "$ref",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "if",
  "then",
  "else",
  "$defs",
  "definitions",
]);
const LOWER_BOUNDS = new Set(["minimum", "minLength", "minItems", "minProperties", "minContains"]);
const UPPER_BOUNDS = new Set(["maximum", "maxLength", "maxItems", "maxProperties", "maxContains"]);
const SUBSCHEMA_MAPS = new Set(["properties", "patternProperties", "dependentSchemas"]);
const SUBSCHEMAS = new Set(["items", "additionalItems", "contains", "propertyNames", "unevaluatedItems"]);

export const isObject = (v: unknown): v is SchemaObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const emptyFlat = (): Flat => ({
  s: {},
  choices: [],
  nots: [],
  conds: [],
  patterns: [],
  never: false,
});

/** Resolves a local `$ref` ("#", "#/$defs/x", "#/definitions/x", any JSON pointer); other refs allow anything. */
export function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  if (!ref.startsWith("#")) return true;
  const pointer = ref.slice(1);
  if (pointer === "") return root;
  if (!pointer.startsWith("/")) return true; // A named anchor: not supported, allow anything.
  let node: unknown = root;
  for (const key of pointerTokens(fragmentPointer(pointer))) {
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return isObject(node) || typeof node === "boolean" ? node : true;
}

/** Flattens `schema` (see the file comment); refs resolve against `root`. */
export function flatten(schema: JsonSchema, root: JsonSchema, hops = 0): Flat {
  const flat = emptyFlat();
  if (schema === true) return flat;
  if (schema === false || hops > MAX_REF_HOPS) return { ...flat, never: schema === false };
  for (const [key, value] of Object.entries(schema)) {
    if (!SET_ASIDE.has(key)) flat.s[key] = value;
  }
  if (typeof schema.pattern === "string") flat.patterns.push(schema.pattern);
  let out = flat;
  if (typeof schema.$ref === "string")
    out = mergeFlat(flatten(resolveRef(schema.$ref, root), root, hops + 1), out);
  if (Array.isArray(schema.allOf)) {
    for (const sub of schema.allOf as JsonSchema[]) out = mergeFlat(out, flatten(sub, root, hops + 1));
  }
  if (Array.isArray(schema.anyOf))
    out.choices.push({ kind: "anyOf", branches: schema.anyOf as JsonSchema[] });
  if (Array.isArray(schema.oneOf))
    out.choices.push({ kind: "oneOf", branches: schema.oneOf as JsonSchema[] });
  if (schema.not !== undefined) out.nots.push(schema.not as JsonSchema);
  if (schema.if !== undefined) {
    out.conds.push({
      test: schema.if as JsonSchema,
      onTrue: schema.then as JsonSchema | undefined,
      onFalse: schema.else as JsonSchema | undefined,
    });
  }
  return out;
}

/** Merges two flats as `allOf` would (approximately). */
export function mergeFlat(a: Flat, b: Flat): Flat {
  return {
    s: mergeKeywords(a.s, b.s),
    choices: [...a.choices, ...b.choices],
    nots: [...a.nots, ...b.nots],
    conds: [...a.conds, ...b.conds],
    patterns: [...a.patterns, ...b.patterns],
    never: a.never || b.never,
  };
}

const both = (x: unknown, y: unknown): JsonSchema =>
  x === false || y === false ? false : { allOf: [x as JsonSchema, y as JsonSchema] };

function mergeKeywords(a: SchemaObject, b: SchemaObject): SchemaObject {
  const out: SchemaObject = { ...a };
  for (const [key, bv] of Object.entries(b)) {
    const av = out[key];
    if (av === undefined) {
      out[key] = bv;
    } else if (key === "type") {
      out[key] = intersectTypes(av, bv);
    } else if (key === "required") {
      out[key] = [...new Set([...(av as string[]), ...(bv as string[])])];
    } else if (key === "enum" && Array.isArray(av) && Array.isArray(bv)) {
      const keys = new Set(bv.map((v) => JSON.stringify(v)));
      out[key] = av.filter((v) => keys.has(JSON.stringify(v)));
    } else if (LOWER_BOUNDS.has(key) || (key === "exclusiveMinimum" && typeof av === "number")) {
      out[key] = Math.max(av as number, bv as number);
    } else if (UPPER_BOUNDS.has(key) || (key === "exclusiveMaximum" && typeof av === "number")) {
      out[key] = Math.min(av as number, bv as number);
    } else if (key === "multipleOf") {
      const [x, y] = [av as number, bv as number];
      out[key] = Number.isInteger(x / y) ? x : Number.isInteger(y / x) ? y : x * y;
    } else if (key === "uniqueItems") {
      out[key] = av === true || bv === true;
    } else if (SUBSCHEMA_MAPS.has(key) && isObject(av) && isObject(bv)) {
      const merged: SchemaObject = { ...av };
      for (const [k, sub] of Object.entries(bv)) merged[k] = k in av ? both(av[k], sub) : sub;
      out[key] = merged;
    } else if (key === "dependentRequired" && isObject(av) && isObject(bv)) {
      const merged: SchemaObject = { ...av };
      for (const [k, deps] of Object.entries(bv))
        merged[k] = [...((av[k] as string[]) ?? []), ...(deps as string[])];
      out[key] = merged;
    } else if ((key === "prefixItems" || key === "items") && Array.isArray(av) && Array.isArray(bv)) {
      const length = Math.max(av.length, bv.length);
      out[key] = Array.from({ length }, (_, i) =>
        av[i] === undefined ? bv[i] : bv[i] === undefined ? av[i] : both(av[i], bv[i]),
      );
    } else if (SUBSCHEMAS.has(key) || key === "additionalProperties") {
      out[key] = both(av, bv);
    } else {
      out[key] = bv;
    }
  }
  return out;
}

function intersectTypes(a: unknown, b: unknown): string[] {
  const as = (Array.isArray(a) ? a : [a]) as string[];
  const bs = (Array.isArray(b) ? b : [b]) as string[];
  const out = new Set<string>();
  for (const t of as) {
    if (bs.includes(t)) out.add(t);
    else if (t === "integer" && bs.includes("number")) out.add("integer");
    else if (t === "number" && bs.includes("integer")) out.add("integer");
  }
  return [...out];
}
