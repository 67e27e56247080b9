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

/** A node still to visit; its path is a chain to the parent, built out only for the problem reported. */
interface Visit {
  value: unknown;
  key: string | number | undefined;
  parent: Visit | undefined;
  depth: number;
}

function pathOf(v: Visit | undefined, tail: Array<string | number> = []): Array<string | number> {
  const path = tail;
  for (let at = v; at?.key !== undefined; at = at.parent) path.unshift(at.key);
  return path;
}

function keyProblem(key: string, at: Visit): JsonProblem | null {
  if (key === "__proto__")
    return { path: pathOf(at, [key]), message: "keys named __proto__ are not allowed" };
  if (LONE_SURROGATE.test(key)) {
    return { path: pathOf(at, [key]), message: "key is not well-formed Unicode (a lone surrogate)" };
  }
  return null;
}

/**
 * The first problem found in `value`, with its path, or null when it is safe to process. Memory stays
 * proportional to the document: each pending node holds its key and a link to its parent, never a copy
 * of its path.
 */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | null {
  const stack: Visit[] = [{ value, key: undefined, parent: undefined, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const v = item.value;
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v))
        return { path: pathOf(item), message: "is not well-formed Unicode (a lone surrogate)" };
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (item.depth >= maxDepth)
      return { path: pathOf(item), message: `is nested deeper than ${maxDepth} levels` };
    const depth = item.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: item, depth });
      continue;
    }
    for (const key of Object.keys(v)) {
      const problem = keyProblem(key, item);
      if (problem) return problem;
      stack.push({ value: (v as Record<string, unknown>)[key], key, parent: item, depth });
    }
  }
  return null;
}
