import { isPlainObject } from "../lib/objects";
import type { RunContext } from "./state";

// Keys that would reach prototypes if a result were merged naively.
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** Stores a step's result: at runtime.<output> when set, else an object result is merged into runtime. */
export function storeResult(context: RunContext, output: string | undefined, result: unknown): void {
  if (result === undefined) return;
  if (output) {
    context.runtime[output] = result;
    return;
  }
  if (!isPlainObject(result)) return;
  for (const [key, value] of Object.entries(result)) {
    if (!FORBIDDEN.has(key)) context.runtime[key] = value;
  }
}
