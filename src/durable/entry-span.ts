import { SpanKind } from "@opentelemetry/api";
import { traced } from "../telemetry";

/** Which run an entry is for, and the caller's `traceparent` when tracing. */
export interface EntryOf {
  runId: string;
  trace?: string | undefined;
}

/**
 * An entry of the run's object as the root span of its part of the trace, a child of the caller's
 * `traceparent` (a request, a queue consumer) when `at` carries one. Exported after the entry, off
 * its answer.
 */
export function entrySpan<T>(
  env: Env,
  ctx: DurableObjectState,
  at: string | EntryOf,
  fn: () => Promise<T>,
): Promise<T> {
  const trace = typeof at === "string" ? undefined : at.trace;
  return traced(env, trace, "RunCoordinator entry", { kind: SpanKind.SERVER }, fn, (p) => ctx.waitUntil(p));
}

/** What an alarm does to the run (a timeout, a reminder, a re-sent AI job), as a trace of its own. */
export function alarmSpan<T>(env: Env, ctx: DurableObjectState, fn: () => Promise<T>): Promise<T> {
  return traced(env, undefined, "RunCoordinator alarm", { kind: SpanKind.SERVER }, fn, (p) =>
    ctx.waitUntil(p),
  );
}
