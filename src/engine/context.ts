import { MAX_CONTEXT_BYTES, utf8Bytes } from "../lib/limits";
import { isPlainObject } from "../lib/objects";
import type { RunContext, RunError } from "./state";

// Keys that would reach prototypes if a result were merged naively.
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Stores a step's result: at runtime.<output> when set, else an object result is merged into runtime.
 * Every path that grows a run's context (an executed step, a resume, an AI result) stores through
 * here, so this is where its size is bounded: when the context would pass MAX_CONTEXT_BYTES it is
 * left as it was and the step's error is returned (the caller fails the step with it).
 */
export function storeResult(
  context: RunContext,
  output: string | undefined,
  result: unknown,
): RunError | undefined {
  if (result === undefined) return undefined;
  const runtime = { ...context.runtime };
  if (output) {
    runtime[output] = result;
  } else if (isPlainObject(result)) {
    for (const [key, value] of Object.entries(result)) {
      if (!FORBIDDEN.has(key)) runtime[key] = value;
    }
  } else {
    return undefined;
  }
  const bytes = utf8Bytes(JSON.stringify({ ...context, runtime }));
  if (bytes > MAX_CONTEXT_BYTES) return contextTooLarge(bytes);
  context.runtime = runtime;
  return undefined;
}

function contextTooLarge(bytes: number): RunError {
  return {
    code: "context_too_large",
    message: `This step's result would make the run's context ${bytes} bytes; the limit is 1 MiB (${MAX_CONTEXT_BYTES} bytes)`,
  };
}
