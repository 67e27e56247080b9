import { SpanKind } from "@opentelemetry/api";
import { traced } from "../telemetry";

/**
 * An entry of the run's object as the root span of its part of the trace: a child of the caller's
 * `traceparent` (a request, a queue consumer), or a trace of its own (an alarm). Exported after the
 * entry, off its answer.
 */
export function entrySpan<T>(
  env: Env,
  ctx: DurableObjectState,
  trace: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const name = trace ? "RunCoordinator entry" : "RunCoordinator alarm";
  return traced(env, trace, name, { kind: SpanKind.SERVER }, fn, (p) => ctx.waitUntil(p));
}

/** Which run an entry is for, and the caller's `traceparent` when tracing. */
export interface EntryOf {
  runId: string;
  trace?: string | undefined;
}
