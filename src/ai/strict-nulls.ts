/**
 * The other half of "optional → required and nullable" (strict-transform.ts): a model constrained by
 * the strict schema answers `null` for a property it would have left out. Before the answer is
 * validated against the original schema, such nulls are dropped: only for properties the original
 * schema leaves optional and that it would reject as null, so the step never loses a null it allows
 * and never gains an answer it would refuse. Applied to every provider's answer: for one that left the
 * property out there is nothing to drop.
 */
import { fragmentPointer, pointerTokens } from "../lib/json-pointer";
import type { JsonSchema } from "./types";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** Deeper `$ref` chains are left alone (a cycle of refs without structure in between). */
const MAX_REF_HOPS = 32;

/** `value` without the nulls standing for absent optional properties; a new value, `value` is not changed. */
export function dropAbsentNulls(value: unknown, schema: JsonSchema): unknown {
  return isObj(schema) ? strip(value, schema, schema) : value;
}

function strip(value: unknown, node: unknown, root: Obj): unknown {
  const schema = resolve(node, root);
  if (!schema) return value;
  if (Array.isArray(value)) {
    return isObj(schema.items) ? value.map((item) => strip(item, schema.items, root)) : value;
  }
  if (!isObj(value) || !isObj(schema.properties)) return value;
  const props = schema.properties;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const out: Obj = {};
  // Defined, not assigned: a key named "__proto__" stays an own property instead of replacing the prototype.
  const keep = (key: string, v: unknown) =>
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [key, item] of Object.entries(value)) {
    const sub = Object.hasOwn(props, key) ? props[key] : undefined;
    if (sub === undefined) keep(key, item);
    else if (item === null && !required.has(key) && rejectsNull(sub, root, 0)) continue;
    else keep(key, strip(item, sub, root));
  }
  return out;
}

/** True only when `node` certainly rejects null (a type, enum or const without it); unsure is false. */
function rejectsNull(node: unknown, root: Obj, hops: number): boolean {
  if (!isObj(node) || hops > MAX_REF_HOPS) return false;
  if (typeof node.$ref === "string") return rejectsNull(lookup(node.$ref, root), root, hops + 1);
  if (Array.isArray(node.anyOf)) return node.anyOf.every((sub) => rejectsNull(sub, root, hops));
  if (Array.isArray(node.oneOf)) return node.oneOf.every((sub) => rejectsNull(sub, root, hops));
  if ("const" in node) return node.const !== null;
  if (Array.isArray(node.enum)) return !node.enum.includes(null);
  if (node.type === undefined) return false;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return !types.includes("null");
}

/** The schema `node` stands for, following local `$ref`s. */
function resolve(node: unknown, root: Obj): Obj | undefined {
  let current = node;
  for (let hops = 0; isObj(current) && typeof current.$ref === "string"; hops++) {
    if (hops > MAX_REF_HOPS) return undefined;
    current = lookup(current.$ref, root);
  }
  return isObj(current) ? current : undefined;
}

function lookup(ref: string, root: Obj): unknown {
  if (!ref.startsWith("#")) return undefined;
  let at: unknown = root;
  for (const token of pointerTokens(fragmentPointer(ref))) {
    at = isObj(at) && Object.hasOwn(at, token) ? at[token] : undefined;
  }
  return at;
}
