/** Objects and arrays for a flat schema: required and optional properties, counts, contains, uniqueness. */
import { patternFinds } from "../../lib/re2";
import type { JsonSchema } from "../types";
import { type Flat, isObject } from "./flatten";
import { WORDS } from "./formats";
import type { Rng } from "./prng";
import { generateFromPattern } from "./regex-gen";

/** What object/array generation needs from the main generator. */
export interface Gen {
  rng: Rng;
  /** Past this depth, optional properties and optional items are left out so recursive schemas end. */
  shallow: boolean;
  value(schema: JsonSchema): unknown;
  check(schema: JsonSchema, value: unknown): boolean;
}

const UNIQUE_TRIES = 12;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A stable key for deep equality (object key order ignored), as uniqueItems compares. */
export function stableKey(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableKey).join(",")}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableKey(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "undefined";
}

/** Whether a patternProperties pattern applies to `key`, on RE2 as the validator runs it. */
const patternApplies = (pattern: string, key: string): boolean => {
  try {
    return patternFinds(pattern, key);
  } catch {
    return false; // An invalid pattern is the schema check's problem, not the generator's.
  }
};

/** An object with every required property, some optional ones, and extra keys only when allowed. */
export function genObject(flat: Flat, g: Gen): Record<string, unknown> {
  const s = flat.s;
  const props = isObject(s.properties) ? (s.properties as Record<string, JsonSchema>) : {};
  const patternProps = isObject(s.patternProperties)
    ? (s.patternProperties as Record<string, JsonSchema>)
    : {};
  const additional = s.additionalProperties as JsonSchema | undefined;
  const deps = isObject(s.dependentRequired) ? (s.dependentRequired as Record<string, string[]>) : {};
  const maxP = num(s.maxProperties) ?? Number.POSITIVE_INFINITY;
  const minP = num(s.minProperties) ?? 0;
  const keys = new Set<string>(Array.isArray(s.required) ? (s.required as string[]) : []);
  // An optional key with a dependentSchema would drag in constraints the generator did not plan for.
  const dependent = isObject(s.dependentSchemas) ? s.dependentSchemas : {};
  const optional = g.rng.shuffle(Object.keys(props).filter((k) => !keys.has(k) && !(k in dependent)));
  for (const key of optional) {
    if (keys.size >= maxP) break;
    if (!g.shallow && g.rng.bool(0.6)) keys.add(key);
  }
  for (const key of optional) {
    if (keys.size >= minP) break;
    keys.add(key);
  }
  for (let n = 1; keys.size < minP && n <= minP + 8; n++) {
    const name = extraKey(n, flat, g);
    if (name !== null && !(name in props)) keys.add(name);
  }
  // dependentRequired: a present key pulls in the keys it depends on.
  for (let changed = true; changed; ) {
    changed = false;
    for (const key of [...keys]) {
      for (const dep of deps[key] ?? []) {
        if (keys.has(dep)) continue;
        keys.add(dep);
        changed = true;
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = g.value(propertySchema(key, props, patternProps, additional));
  return out;
}

/** A name for an extra property (to reach minProperties): from patternProperties, else propertyNames, else a word. */
function extraKey(n: number, flat: Flat, g: Gen): string | null {
  const s = flat.s;
  const patterns = isObject(s.patternProperties) ? Object.keys(s.patternProperties) : [];
  const names = s.propertyNames as JsonSchema | undefined;
  if (patterns.length > 0 && (s.additionalProperties === false || g.rng.bool())) {
    const name = generateFromPattern(g.rng.pick(patterns), g.rng);
    if (name && (names === undefined || g.check(names, name))) return name;
  }
  if (s.additionalProperties === false) return null;
  if (isObject(names)) {
    const name = g.value({ type: "string", ...names });
    return typeof name === "string" ? name : null;
  }
  return `${g.rng.pick(WORDS)}${n}`;
}

/** Every subschema that applies to `key`: its property, each matching pattern, else additionalProperties. */
function propertySchema(
  key: string,
  props: Record<string, JsonSchema>,
  patternProps: Record<string, JsonSchema>,
  additional: JsonSchema | undefined,
): JsonSchema {
  const applying: JsonSchema[] = [];
  if (key in props) applying.push(props[key] as JsonSchema);
  for (const [pattern, sub] of Object.entries(patternProps)) {
    if (patternApplies(pattern, key)) applying.push(sub);
  }
  if (applying.length === 0 && additional !== undefined) applying.push(additional);
  if (applying.length === 0) return { type: "string" };
  return applying.length === 1 ? (applying[0] as JsonSchema) : { allOf: applying };
}

/** An array honouring prefixItems/items, min/maxItems, contains/minContains/maxContains and uniqueItems. */
export function genArray(flat: Flat, g: Gen): unknown[] {
  const s = flat.s;
  const tuple = (
    Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : []
  ) as JsonSchema[];
  const rest = (
    Array.isArray(s.items) ? s.additionalItems : Array.isArray(s.prefixItems) ? s.items : s.items
  ) as JsonSchema | undefined;
  const contains = s.contains as JsonSchema | undefined;
  const minContains = contains === undefined ? 0 : (num(s.minContains) ?? 1);
  const maxContains = num(s.maxContains) ?? Number.POSITIVE_INFINITY;
  const minItems = Math.max(num(s.minItems) ?? 0, minContains);
  let maxItems = num(s.maxItems) ?? Number.POSITIVE_INFINITY;
  if (rest === false) maxItems = Math.min(maxItems, tuple.length);
  const preferred = g.shallow ? minItems : Math.max(minItems, g.rng.int(1, 3), tuple.length);
  const length = Math.min(Math.max(minItems, preferred), maxItems);
  const schemaAt = (i: number): JsonSchema => (i < tuple.length ? (tuple[i] as JsonSchema) : (rest ?? true));
  const items: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < length; i++) {
    let schema = schemaAt(i);
    // The last positions carry the contains items; earlier ones keep clear of them when maxContains caps.
    if (contains !== undefined && i >= length - minContains) schema = { allOf: [schema, contains] };
    else if (contains !== undefined && maxContains < Number.POSITIVE_INFINITY) {
      schema = { allOf: [schema, { not: contains }] };
    }
    let item = g.value(schema);
    for (let t = 0; s.uniqueItems === true && seen.has(stableKey(item)) && t < UNIQUE_TRIES; t++)
      item = g.value(schema);
    if (s.uniqueItems === true && seen.has(stableKey(item)) && i >= Math.max(minItems, tuple.length)) break;
    seen.add(stableKey(item));
    items.push(item);
  }
  return items;
}
