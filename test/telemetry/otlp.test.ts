import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { telemetryConfig } from "../../src/telemetry/config";
import { parseTraceparent } from "../../src/telemetry/trace-context";
import { waitFor } from "../ai/queue-helpers";
import type { ReceivedSpan } from "../fakes/otlp-collector";
import { API_KEY, api, BASE } from "../helpers/api";

// Traces over OTLP/HTTP, as the fake collector on 127.0.0.1 (test/fakes/otlp-collector.ts) decodes them.
// The suite's env points the exporter at it with `parentbased_always_off`: only work whose request
// came with a sampled `traceparent` is exported, as here.

const collector = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? "";

const FLOW = `
id: traced-flow
name: Traced flow
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write about {{runtime.topic}}"
    schema:
      type: object
      required: [title]
      properties:
        title: { type: string }
    output: draft
    next: ask
  - id: ask
    type: form
    fields:
      - { name: note, type: string }
`;

const hex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

async function spansOf(traceId: string): Promise<ReceivedSpan[]> {
  const res = await fetch(`${collector}/__spans?trace=${traceId}`);
  return ((await res.json()) as { spans: ReceivedSpan[] }).spans;
}

/** Polls the collector until `done` holds for the trace's spans. */
async function spansUntil(traceId: string, done: (s: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const spans = await spansOf(traceId);
    if (done(spans)) return spans;
    if (Date.now() > until) throw new Error(`trace incomplete: ${spans.map((s) => s.name).join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  expect(collector).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect((await api("POST", "/v1/workflows", { yaml: FLOW })).status).toBe(201);
});

describe("OpenTelemetry traces over OTLP/HTTP", () => {
  it("one trace follows a start → AI step (queue) → form → resume, each span carrying the run", async () => {
    const traceId = hex(16);
    const clientSpan = hex(8);
    const traceparent = `00-${traceId}-${clientSpan}-01`;
    const started = await api<{ run_id: string }>("POST", "/v1/executions", {
      json: { workflow_id: "traced-flow", inputs: { topic: "tracing" } },
      headers: { traceparent },
    });
    expect(started.status).toBe(202);
    const runId = started.body.run_id;
    const waiting = await waitFor(runId, (s) => s.status === "waiting");
    const secondClientSpan = hex(8);
    const resumed = await api("POST", `/v1/executions/${runId}/resume`, {
      json: { token: waiting.waiting?.resume_token, data: { note: "fine" } },
      headers: { traceparent: `00-${traceId}-${secondClientSpan}-01` },
    });
    expect(resumed.status).toBe(200);

    const transitions = (s: ReceivedSpan[]) => s.filter((x) => x.name === "scaff.transition");
    const spans = await spansUntil(traceId, (s) =>
      transitions(s).some((t) => t.attributes["scaff.run.status"] === "completed"),
    );
    const names = spans.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "POST /v1/executions",
        "RunCoordinator entry",
        "scaff.step",
        "ai-jobs process",
        "chat mock-1",
        "POST /v1/executions/:run_id/resume",
      ]),
    );
    // Every span hangs off the client's span or another span of the same trace.
    const ids = new Set([clientSpan, secondClientSpan, ...spans.map((s) => s.spanId)]);
    for (const s of spans)
      expect(ids.has(s.parentSpanId ?? ""), `${s.name} has a parent in the trace`).toBe(true);
    const request = spans.find((s) => s.name === "POST /v1/executions");
    expect(request).toMatchObject({ parentSpanId: clientSpan, kind: 2 });
    expect(request?.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.response.status_code": 202,
    });

    // Run transitions name the run, the step and its type, from the start to the resume.
    const steps = transitions(spans).map((t) => [
      t.attributes["scaff.step_id"],
      t.attributes["scaff.step_type"],
    ]);
    expect(steps).toEqual(
      expect.arrayContaining([
        ["draft", "ai_generate"],
        ["ask", "form"],
      ]),
    );
    for (const t of transitions(spans)) expect(t.attributes["scaff.run_id"]).toBe(runId);

    // The queue carried the context: the consumer's span is a child of the transition that queued the job.
    const consumer = spans.find((s) => s.name === "ai-jobs process");
    const parent = spans.find((s) => s.spanId === consumer?.parentSpanId);
    expect(parent?.name).toBe("scaff.transition");
    expect(consumer).toMatchObject({ kind: 5, attributes: { "messaging.destination.name": "ai-jobs" } });
    const chat = spans.find((s) => s.name === "chat mock-1");
    expect(chat?.parentSpanId).toBe(consumer?.spanId);
    expect(chat?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "mock",
      "gen_ai.request.model": "mock-1",
      "scaff.run_id": runId,
      "scaff.step_id": "draft",
    });
    expect(chat?.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0);
    expect(chat?.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);

    // OTEL_EXPORTER_OTLP_HEADERS reached the collector; the service is named.
    expect(new Set(spans.map((s) => s.authorization))).toEqual(new Set(["Bearer otel-test-token"]));
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(["scaff"]));
  });

  it("exports nothing without OTEL_EXPORTER_OTLP_ENDPOINT, even for a sampled request", async () => {
    const send = async (over: Partial<Env>) => {
      const traceId = hex(16);
      const ctx = createExecutionContext();
      const req = new Request(`${BASE}/v1/workflows`, {
        headers: { authorization: `Bearer ${API_KEY}`, traceparent: `00-${traceId}-${hex(8)}-01` },
      });
      const res = await worker.fetch(req, { ...env, ...over }, ctx);
      expect(res.status).toBe(200);
      await waitOnExecutionContext(ctx);
      return traceId;
    };
    const configured = await send({});
    const unset = await send({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined });
    // The configured request's export has landed once waitUntil settled; the other one had none to send.
    expect((await spansOf(configured)).map((s) => s.name)).toEqual(["GET /v1/workflows"]);
    expect(await spansOf(unset)).toEqual([]);
  });
});

describe("telemetry configuration and trace context", () => {
  it("reads the standard OTEL_* variables; no endpoint means no tracing", () => {
    expect(telemetryConfig({})).toBeNull();
    expect(telemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "  " })).toBeNull();
    expect(
      telemetryConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example.com/",
        OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=abc%3D1, authorization=Basic%20dXNlcjpwdw==,broken",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.25",
      }),
    ).toEqual({
      url: "https://otel.example.com/v1/traces",
      headers: { "x-honeycomb-team": "abc=1", authorization: "Basic dXNlcjpwdw==" },
      serviceName: "scaff",
      sampler: { parentBased: true, ratio: 0.25 },
    });
    const traces = telemetryConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/custom" });
    expect(traces?.url).toBe("http://127.0.0.1:4318/custom");
    expect(traces?.sampler).toEqual({ parentBased: true, ratio: 1 });
  });

  it("takes a malformed or all-zero traceparent as none (the work starts a trace of its own)", () => {
    const id = "4bf92f3577b34da6a3ce929d0e0e4736";
    expect(parseTraceparent(`00-${id}-00f067aa0ba902b7-01`)).toEqual({
      traceId: id,
      spanId: "00f067aa0ba902b7",
      sampled: true,
    });
    expect(parseTraceparent(`00-${id}-00f067aa0ba902b7-00`)?.sampled).toBe(false);
    for (const bad of ["", "00-zz-not-a-trace-01", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, `01-${id}`]) {
      expect(parseTraceparent(bad)).toBeNull();
    }
  });
});
