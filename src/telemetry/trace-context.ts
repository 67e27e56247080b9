// W3C Trace Context (`traceparent`): how a trace crosses the Worker, the run's object and the queues.

/** A span's place in a trace, as `traceparent` carries it. */
export interface SpanContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZEROS = /^0+$/;

/** The context a `traceparent` value names, or null for a missing or malformed one (then a new trace starts). */
export function parseTraceparent(value: string | null | undefined): SpanContext | null {
  const m = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (!m) return null;
  const [, traceId = "", spanId = "", flags = "00"] = m;
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return null;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** The `traceparent` value of a span. */
export const formatTraceparent = (c: SpanContext): string =>
  `00-${c.traceId}-${c.spanId}-${c.sampled ? "01" : "00"}`;

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);
