/**
 * Deterministic example values for any JSON Schema, used by the mock AI provider: the same schema and
 * seed always give the same value, and every value is checked with the shared validator (other seeds
 * are tried when a best-effort path such as a complex pattern or `not` missed).
 */
import { compileSchema } from "../lib/json-schema";
import { makeSubschemaCheck, type SubschemaCheck } from "./mock/checker";
import { type Gen, genArray, genObject } from "./mock/collections";
import { type Flat, flatten, isObject, mergeFlat } from "./mock/flatten";
import { createRng, type Rng } from "./mock/prng";
import { genNumber, genString } from "./mock/scalars";
import type { JsonSchema } from "./types";

/** Seeds tried (the given one, then derived ones) before returning the last, possibly invalid, value. */
const SEED_TRIES = 8;
/** Nesting depth after which optional parts are left out, so recursive schemas terminate. */
const SHALLOW_DEPTH = 6;
/** Hard stop for schemas that require infinite nesting. */
const MAX_DEPTH = 40;
const RETRIES_FOR_NOT = 6;

const TYPE_HINTS: Array<[string, string[]]> = [
  [
    "object",
    ["properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties"],
  ],
  ["array", ["items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains"]],
  ["string", ["minLength", "maxLength", "pattern", "format"]],
  ["number", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]],
];
/** Types drawn for a schema that names none (strings weighted up: they read best in a demo). */
const ANY_TYPES = ["string", "integer", "boolean", "string", "number"];
const ALL_TYPES = ["string", "integer", "number", "boolean", "null", "object", "array"];

interface Ctx {
  root: JsonSchema;
  rng: Rng;
  check: SubschemaCheck;
}

/** Generates a value valid for `schema` (when one can be found), deterministically from `seed`. */
export function generateFromSchema(schema: JsonSchema, seed: string): unknown {
  const validate = compileSchema(schema);
  const check = makeSubschemaCheck(schema);
  let value: unknown = null;
  for (let i = 0; i < SEED_TRIES; i++) {
    const ctx: Ctx = { root: schema, rng: createRng(i === 0 ? seed : `${seed}#${i}`), check };
    try {
      value = generate(schema, ctx, 0);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // Too deep: try another seed.
      continue;
    }
    if (validate(value).valid) return value;
  }
  return value;
}

function generate(schema: JsonSchema, ctx: Ctx, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new RangeError("schema nests too deeply");
  return fromFlat(flatten(schema, ctx.root), schema, ctx, depth);
}

/** Resolves the set-aside decisions (anyOf/oneOf, if, not) one at a time, checking against `target`. */
function fromFlat(flat: Flat, target: JsonSchema, ctx: Ctx, depth: number): unknown {
  const applied = requiredDependents(flat);
  if (applied.length > 0) {
    const deps = { ...(flat.s.dependentSchemas as Record<string, JsonSchema>) };
    for (const key of applied) delete deps[key];
    let merged: Flat = { ...flat, s: { ...flat.s, dependentSchemas: deps } };
    for (const key of applied) {
      merged = mergeFlat(
        merged,
        flatten((flat.s.dependentSchemas as Record<string, JsonSchema>)[key] ?? true, ctx.root),
      );
    }
    return fromFlat(merged, target, ctx, depth);
  }
  const [choice, ...otherChoices] = flat.choices;
  if (choice) {
    const rest: Flat = { ...flat, choices: otherChoices };
    let value: unknown = null;
    for (const branch of ctx.rng.shuffle(choice.branches)) {
      value = fromFlat(mergeFlat(rest, flatten(branch, ctx.root)), target, ctx, depth);
      // The check against the whole target also makes sure a oneOf value matches exactly one branch.
      if (ctx.check(target, value)) return value;
    }
    return value;
  }
  const [cond, ...otherConds] = flat.conds;
  if (cond) {
    const rest: Flat = { ...flat, conds: otherConds };
    const thenPath = mergeFlat(
      mergeFlat(rest, flatten(cond.test, ctx.root)),
      flatten(cond.onTrue ?? true, ctx.root),
    );
    const elsePath = mergeFlat(
      { ...rest, nots: [...rest.nots, cond.test] },
      flatten(cond.onFalse ?? true, ctx.root),
    );
    let value: unknown = null;
    for (const path of ctx.rng.shuffle([thenPath, elsePath])) {
      value = fromFlat(path, target, ctx, depth);
      if (ctx.check(target, value)) return value;
    }
    return value;
  }
  let value = plain(flat, target, ctx, depth);
  const excluded = (v: unknown) => flat.nots.some((n) => ctx.check(n, v));
  for (let i = 0; i < RETRIES_FOR_NOT && excluded(value); i++) value = plain(flat, target, ctx, depth);
  // Random tries missed (e.g. `not: {type: [...]}` leaves one rare type): walk every type once.
  for (const type of ALL_TYPES) {
    if (!excluded(value)) break;
    value = plain(flat, target, ctx, depth, type);
  }
  return value;
}

/** Required keys whose dependentSchemas always apply, so they can be merged in up front. */
function requiredDependents(flat: Flat): string[] {
  const deps = flat.s.dependentSchemas;
  if (!isObject(deps) || !Array.isArray(flat.s.required)) return [];
  return (flat.s.required as string[]).filter((key) => key in deps);
}

function plain(flat: Flat, target: JsonSchema, ctx: Ctx, depth: number, forcedType?: string): unknown {
  const s = flat.s;
  if ("const" in s) return structuredClone(s.const);
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const candidates = ctx.rng.shuffle(s.enum);
    return structuredClone(candidates.find((c) => ctx.check(target, c)) ?? candidates[0]);
  }
  const g: Gen = {
    rng: ctx.rng,
    shallow: depth >= SHALLOW_DEPTH,
    value: (sub) => generate(sub, ctx, depth + 1),
    check: ctx.check,
  };
  switch (forcedType ?? pickType(flat, ctx.rng)) {
    case "object":
      return genObject(flat, g);
    case "array":
      return genArray(flat, g);
    case "string":
      return genString(flat, ctx.rng);
    case "integer":
      return genNumber(flat, true, ctx.rng);
    case "number":
      return genNumber(flat, false, ctx.rng);
    case "boolean":
      return ctx.rng.bool();
    default:
      return null;
  }
}

function pickType(flat: Flat, rng: Rng): string {
  const declared = flat.s.type;
  if (typeof declared === "string") return declared;
  if (Array.isArray(declared) && declared.length > 0) return rng.pick(declared as string[]);
  if (flat.never || Array.isArray(declared)) return "null"; // No type is allowed: any value fails.
  const hinted = TYPE_HINTS.filter(([, keys]) => keys.some((k) => k in flat.s)).map(([t]) => t);
  if (hinted.length > 0) return rng.pick(hinted);
  return rng.pick(ANY_TYPES);
}
