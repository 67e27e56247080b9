/**
 * A small tracer: spans are kept per entry point (a request, a Durable Object entry, a queue message),
 * the current span travels in an AsyncLocalStorage, and when the entry ends its spans go to the OTLP
 * collector in one JSON POST, after the answer (waitUntil). Without OTEL_EXPORTER_OTLP_ENDPOINT every
 * function here just runs its callback: no span is made and nothing is sent.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { type TelemetryConfig, type TelemetryEnv, telemetryConfig } from "./config";
import { type Attributes, type FinishedSpan, otlpTraceBody } from "./otlp-json";
import {
  formatTraceparent,
  newSpanId,
  newTraceId,
  parseTraceparent,
  type SpanContext,
} from "./trace-context";

/** A span still open. */
interface LiveSpan {
  context: SpanContext;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startMs: number;
  attributes: Attributes;
  status: FinishedSpan["status"];
}

interface Scope {
  config: TelemetryConfig;
  finished: FinishedSpan[];
  span: LiveSpan;
}

const store = new AsyncLocalStorage<Scope>();

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

const now = (): number => performance.timeOrigin + performance.now();

function sampled(config: TelemetryConfig, parent: SpanContext | null, traceId: string): boolean {
  if (parent && config.sampler.parentBased) return parent.sampled;
  const { ratio } = config.sampler;
  return ratio >= 1 || (ratio > 0 && Number.parseInt(traceId.slice(-8), 16) / 0x1_0000_0000 < ratio);
}

function open(name: string, parent: SpanContext | null, sample: boolean, o: SpanOptions): LiveSpan {
  const traceId = parent?.traceId ?? newTraceId();
  return {
    context: { traceId, spanId: newSpanId(), sampled: sample },
    ...(parent ? { parentSpanId: parent.spanId } : {}),
    name,
    kind: o.kind ?? SpanKind.INTERNAL,
    startMs: now(),
    attributes: { ...o.attributes },
    status: { code: SpanStatusCode.UNSET },
  };
}

function close(scope: Scope, span: LiveSpan, endMs = now()): void {
  if (!span.context.sampled) return;
  const { context, ...rest } = span;
  scope.finished.push({ ...rest, traceId: context.traceId, spanId: context.spanId, endMs });
}

function failed(span: LiveSpan, e: unknown): void {
  span.status = { code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) };
}

/** Posts the spans; a collector that fails or is away costs only these spans. */
async function exportSpans(config: TelemetryConfig, spans: FinishedSpan[]): Promise<void> {
  if (spans.length === 0) return;
  try {
    const res = await fetch(config.url, {
      method: "POST",
      headers: { ...config.headers, "content-type": "application/json" },
      body: JSON.stringify(otlpTraceBody(config.serviceName, spans)),
    });
    await res.body?.cancel();
  } catch {
    // Telemetry never fails the work it describes.
  }
}

/**
 * Runs `fn` as the root span of an entry point, child of `traceparent` when one came with the work,
 * and hands the export to `waitUntil` once `fn` settled. Without an endpoint it only runs `fn`.
 */
export async function traced<T>(
  env: TelemetryEnv,
  traceparent: string | null | undefined,
  name: string,
  options: SpanOptions,
  fn: () => Promise<T>,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<T> {
  const config = telemetryConfig(env);
  if (!config) return fn();
  const parent = parseTraceparent(traceparent);
  const span = open(name, parent, sampled(config, parent, parent?.traceId ?? newTraceId()), options);
  const scope: Scope = { config, finished: [], span };
  try {
    return await store.run(scope, fn);
  } catch (e) {
    failed(span, e);
    throw e;
  } finally {
    close(scope, span);
    waitUntil(exportSpans(config, scope.finished.splice(0)));
  }
}

/** Runs `fn` in a child span of the current one (no tracing: just `fn`); a throw marks the span failed. */
export async function withSpan<T>(name: string, options: SpanOptions, fn: () => Promise<T>): Promise<T> {
  const scope = store.getStore();
  if (!scope) return fn();
  const span = open(name, scope.span.context, scope.span.context.sampled, options);
  try {
    return await store.run({ ...scope, span }, fn);
  } catch (e) {
    failed(span, e);
    throw e;
  } finally {
    close(scope, span);
  }
}

/** Records a child span of the current one that already happened (its times are known). */
export function recordSpan(
  name: string,
  options: SpanOptions & { startMs: number; endMs: number; error?: string },
): void {
  const scope = store.getStore();
  if (!scope) return;
  const span = open(name, scope.span.context, scope.span.context.sampled, options);
  span.startMs = options.startMs;
  if (options.error !== undefined) span.status = { code: SpanStatusCode.ERROR, message: options.error };
  close(scope, span, options.endMs);
}

/** Adds attributes to the current span, and renames it when `name` is given. */
export function annotateSpan(attributes: Attributes, name?: string): void {
  const span = store.getStore()?.span;
  if (!span) return;
  Object.assign(span.attributes, attributes);
  if (name) span.name = name;
}

/** The `traceparent` of the current span, for work handed on (an RPC, a queue message); undefined untraced. */
export function currentTraceparent(): string | undefined {
  const span = store.getStore()?.span;
  return span ? formatTraceparent(span.context) : undefined;
}
