/**
 * Checks untrusted JSON before anything recursive touches it (hashing, cloning, RPC, storage):
 * bounded depth, no `__proto__` keys (JSON.parse keeps them as data, most libraries drop them
 * silently), and well-formed Unicode (a lone surrogate cannot be stored as UTF-8 text intact).
 * Iterative, so a hostile document cannot overflow the stack here either.
 */
export const MAX_JSON_DEPTH = 64;

export interface JsonProblem {
  path: Array<string | number>;
  message: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first problem found in `value`, with its path, or null when it is safe to process. */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | null {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; path: Array<string | number> };
    const v = item.value;
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v))
        return { path: item.path, message: "is not well-formed Unicode (a lone surrogate)" };
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (item.path.length >= maxDepth) {
      return { path: item.path, message: `is nested deeper than ${maxDepth} levels` };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...item.path, i] });
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key === "__proto__")
        return { path: [...item.path, key], message: "keys named __proto__ are not allowed" };
      if (LONE_SURROGATE.test(key)) {
        return { path: [...item.path, key], message: "key is not well-formed Unicode (a lone surrogate)" };
      }
      stack.push({ value: (v as Record<string, unknown>)[key], path: [...item.path, key] });
    }
  }
  return null;
}
