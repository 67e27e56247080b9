// OTLP/HTTP JSON encoding of finished spans (opentelemetry-proto, JSON mapping: ids as hex, 64-bit
// integers as strings, enums as numbers).
import type { SpanKind, SpanStatusCode } from "@opentelemetry/api";

export type AttributeValue = string | number | boolean | readonly string[];
export type Attributes = Record<string, AttributeValue | null | undefined>;

/** A span once it ended, as the exporter sends it. */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  status: { code: SpanStatusCode; message?: string };
}

type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: AnyValue[] } };

function anyValue(v: AttributeValue): AnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { arrayValue: { values: v.map((s) => ({ stringValue: s })) } };
}

const attributes = (a: Attributes) =>
  Object.entries(a)
    .filter((e): e is [string, AttributeValue] => e[1] !== null && e[1] !== undefined)
    .map(([key, value]) => ({ key, value: anyValue(value) }));

/** Milliseconds (fractional allowed) since the epoch as OTLP's nanosecond string. */
const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** The body of one `POST <endpoint>/v1/traces` (Content-Type: application/json). */
export function otlpTraceBody(serviceName: string, spans: readonly FinishedSpan[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes({ "service.name": serviceName, "telemetry.sdk.name": "scaff" }) },
        scopeSpans: [
          {
            scope: { name: "scaff" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              // OTLP counts SPAN_KIND_UNSPECIFIED as 0, so the API's kinds are one lower.
              kind: s.kind + 1,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: nanos(s.endMs),
              attributes: attributes(s.attributes),
              status: s.status.message
                ? { code: s.status.code, message: s.status.message }
                : { code: s.status.code },
            })),
          },
        ],
      },
    ],
  };
}
