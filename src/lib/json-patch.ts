import { compare, type Operation } from "fast-json-patch";

export type JsonPatch = Operation[];

/** The RFC 6902 patch (the `fast-json-patch` package) that turns `from` into `to`; empty when equal. */
export function diffPatch(from: unknown, to: unknown): JsonPatch {
  // compare() walks objects and arrays only; a change of a whole scalar root is one replace.
  if (typeof from !== "object" || from === null || typeof to !== "object" || to === null) {
    return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ op: "replace", path: "", value: to }];
  }
  return compare(from as object, to as object);
}
