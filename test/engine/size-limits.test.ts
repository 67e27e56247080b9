import { describe, expect, it } from "vitest";
import { batches } from "../../src/durable/effects";
import { applyAiResult } from "../../src/engine/ai-result";
import { decideAlarm, QUEUE_SEND_FAILED } from "../../src/engine/alarm";
import { storeResult } from "../../src/engine/context";
import type { EngineDeps } from "../../src/engine/engine";
import type { Effect, RunContext, RunState } from "../../src/engine/state";
import { MAX_CONTEXT_BYTES } from "../../src/lib/limits";
import { humanWait, parseDef, runState } from "../helpers/states";

// The size limits as pure engine functions: the context check every stored result goes through, the
// alarm's answer to effects given up on, and the split of queue sends.

const deps: EngineDeps = { now: 1000, newId: (prefix) => `${prefix}_x` };

const DEF = parseDef(`
id: sizes
name: Sizes
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write"
    schema: { type: object }
    output: draft
`);

const aiRun: RunState = runState({
  workflowId: "sizes",
  currentStep: "draft",
  pending: { kind: "ai", stepId: "draft", seq: 1, attemptId: "att_1", startedAt: 0, prompt: "Write" },
});
const attempt = (output: unknown) => ({
  attempt: 1,
  status: "completed" as const,
  input: {},
  output,
  meta: {
    provider: "mock",
    model: "m",
    template_id: null,
    tokens_prompt: 1,
    tokens_output: 1,
    latency_ms: 1,
  },
  startedAt: 0,
  finishedAt: 1,
});

describe("storeResult", () => {
  it("stores a result that fits, and leaves the context untouched when it would pass 1 MiB", () => {
    const context: RunContext = { static: {}, profile: {}, runtime: { a: 1 } };
    expect(storeResult(context, "b", "x".repeat(1000))).toBeUndefined();
    expect(Object.keys(context.runtime)).toEqual(["a", "b"]);
    const error = storeResult(context, undefined, { huge: "é".repeat(MAX_CONTEXT_BYTES / 2) });
    expect(error?.code).toBe("context_too_large");
    expect(error?.message).toContain(String(MAX_CONTEXT_BYTES));
    expect(Object.keys(context.runtime)).toEqual(["a", "b"]);
  });
});

describe("an AI result too large for the context", () => {
  it("fails the step with context_too_large, its attempt failed without the output", () => {
    const output = { text: "y".repeat(MAX_CONTEXT_BYTES) };
    const t = applyAiResult(DEF, aiRun, { status: "completed", output, attempts: [attempt(output)] }, deps);
    expect(t.run).toMatchObject({ status: "failed", pending: null, error: { code: "context_too_large" } });
    expect(t.run.context.runtime.draft).toBeUndefined();
    expect(t.updateSteps).toEqual([
      expect.objectContaining({ id: "att_1", status: "failed", output: undefined }),
    ]);
    expect(t.events.map((e) => e.type)).toEqual(["ai.request", "ai.response", "step.failed", "run.failed"]);
  });
});

describe("decideAlarm with effects given up on", () => {
  const wait = humanWait({ expiresAt: 10_000, recipients: ["a@acme.test"] });
  const waiting = runState({ status: "waiting", pending: wait });
  const mailFor = (waitId: string): Effect => ({ kind: "mail", waitId, mail: "request", recipients: [] });

  it("fails the step whose emails could never be sent", () => {
    expect(decideAlarm(waiting, parseDef(FORM), 0, true, [mailFor(wait.waitId)])).toEqual({
      kind: "fail_unsent",
      error: QUEUE_SEND_FAILED,
    });
  });

  it("ignores effects the run no longer waits on", () => {
    expect(decideAlarm(waiting, parseDef(FORM), 0, true, [mailFor("wait_old")])).toEqual({ kind: "none" });
  });
});

const FORM = `
id: wf
name: Form
start_step: ask
steps:
  - id: ask
    type: form
    fields: [{ name: a, type: string }]
`;

describe("batches", () => {
  it("splits sends at 100 messages and keeps each batch well under 256 KB", () => {
    const small = Array.from({ length: 250 }, (_, i) => ({ id: i }));
    expect(batches(small).map((b) => b.length)).toEqual([100, 100, 50]);
    const large = Array.from({ length: 5 }, () => ({ pad: "z".repeat(90_000) }));
    const split = batches(large);
    expect(split.map((b) => b.length)).toEqual([2, 2, 1]);
    for (const b of split) expect(JSON.stringify(b).length).toBeLessThan(256_000);
  });
});
