import { describe, expect, it } from "vitest";
import {
  type ApprovalStep,
  type Definition,
  type FormStep,
  MAX_EXECUTED_STEPS,
} from "../../src/definitions/types";
import { type AiAttemptReport, acceptsAiResult, applyAiResult } from "../../src/engine/ai-result";
import { cancelRun, remindWait } from "../../src/engine/control";
import { applyStepOutcome, beginRun, type EngineDeps, stepById } from "../../src/engine/engine";
import type { StepOutcome } from "../../src/engine/outcomes";
import { resolveWait } from "../../src/engine/resolve-wait";
import { checkResumeData, timeoutResolution } from "../../src/engine/resume-check";
import type { HumanWait, RunState } from "../../src/engine/state";
import { executeStep } from "../../src/executors";
import { parseDef } from "../helpers/states";

// Pure state machine tests: no bindings, a fixed clock and counted ids, definitions from YAML.

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3_600_000;

function deps(now: number = T0): EngineDeps & { ids: string[] } {
  const ids: string[] = [];
  return {
    now,
    ids,
    newId: (prefix) => {
      const id = `${prefix}_${ids.length + 1}`;
      ids.push(id);
      return id;
    },
  };
}

const FLOW = parseDef(`
id: engine-flow
name: Engine flow
start_step: intake
context: { team: Support }
steps:
  - id: intake
    type: form
    assignee: "{{profile.email}}"
    fields:
      - { name: summary, type: string, required: true, min_length: 3, max_length: 20, default: "n/a" }
      - { name: score, type: integer, minimum: 0, maximum: 100 }
      - { name: channel, type: string, enum: [email, phone], default: email }
      - { name: code, type: string, pattern: "^[A-Z]{3}$" }
      - { name: contact, type: string, format: email }
      - { name: urgent, type: boolean, default: false }
    remind_after: 2h
    timeout: 1d
    on_timeout: default
    next: lookup
  - id: lookup
    type: api_call
    method: GET
    url: "https://api.example.test/items"
    output: item
    next: route
  - id: route
    type: conditional
    branches:
      - when: "runtime.score > 80"
        next: review
    default: plain
  - id: review
    type: approval
    approvers: ["lead@acme.test", "boss@acme.test"]
    timeout: 3h
    on_timeout: approve
    on_reject: intake
    output: review
    next: done
  - id: plain
    type: approval
    approvers: ["{{profile.nobody}}"]
    on_timeout: reject
    output: review
  - id: done
    type: form
    fields: [{ name: ack, type: boolean }]
    on_timeout: fail
`);

const AI = parseDef(`
id: engine-ai
name: Engine AI
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write about {{runtime.topic}}"
    schema: { type: object, properties: { title: { type: string } } }
    output: draft
`);

const started = (def: Definition, inputs: Record<string, unknown> = {}, profile = {}): RunState => {
  const t = beginRun(def, { runId: "run_1", workflowVersion: 3, inputs, profile }, deps());
  return { ...t.run, version: 1 };
};

/** Moves a running state to `stepId` as if the steps before it had run. */
const at = (state: RunState, stepId: string, stepsExecuted = state.stepsExecuted): RunState => ({
  ...structuredClone(state),
  currentStep: stepId,
  stepsExecuted,
});

const waitingOutcome = (recipients: string[], type: "form" | "approval" = "form"): StepOutcome => ({
  kind: "waiting",
  type,
  expiresAt: T0 + 24 * HOUR,
  remindAt: T0 + 2 * HOUR,
  recipients,
});

/** A run parked on `stepId`'s wait, with the wait the engine built. */
function parked(
  stepId: string,
  recipients: string[] = ["ann@acme.test"],
): { state: RunState; wait: HumanWait } {
  const step = stepById(FLOW, stepId);
  const type = step.type === "approval" ? "approval" : "form";
  const t = applyStepOutcome(FLOW, at(started(FLOW), stepId), waitingOutcome(recipients, type), deps(), T0);
  const wait = t.run.pending;
  if (wait?.kind !== "human") throw new Error("expected a wait");
  return { state: { ...t.run, version: 2 }, wait };
}

describe("beginRun", () => {
  it("creates a running run at the start step with a context it owns", () => {
    const inputs = { topic: "cats", nested: { a: 1 } };
    const profile = { email: "ann@acme.test" };
    const t = beginRun(FLOW, { runId: "run_1", workflowVersion: 3, inputs, profile }, deps());
    expect(t.run).toMatchObject({
      id: "run_1",
      workflowId: "engine-flow",
      workflowVersion: 3,
      status: "running",
      currentStep: "intake",
      pending: null,
      stepsExecuted: 0,
      error: null,
      createdAt: T0,
    });
    expect(t.run.context).toEqual({ static: { team: "Support" }, profile, runtime: inputs });
    inputs.nested.a = 2;
    (FLOW.context as { team: string }).team = "Changed";
    expect(t.run.context.runtime.nested).toEqual({ a: 1 });
    expect(t.run.context.static.team).toBe("Support");
    (FLOW.context as { team: string }).team = "Support";
    expect(t.events.map((e) => e.type)).toEqual(["run.created", "run.started"]);
    expect(t.events[1]?.stepId).toBe("intake");
    expect(t.mintTokens).toEqual([]);
    expect(t.effects).toEqual([]);
  });
});

describe("applyStepOutcome: completed", () => {
  it("stores the result at runtime.<output> and moves to next", () => {
    const state = at(started(FLOW, { topic: "x" }), "lookup", 1);
    const before = structuredClone(state);
    const output = { status: 200, body: { id: 7 } };
    const t = applyStepOutcome(FLOW, state, { kind: "completed", output }, deps(T0 + 50), T0);
    expect(t.run.context.runtime).toEqual({ topic: "x", item: output });
    expect(t.run).toMatchObject({ status: "running", currentStep: "route", stepsExecuted: 2 });
    expect(state).toEqual(before); // the input state is never mutated
    expect(t.insertSteps).toEqual([
      expect.objectContaining({
        id: "att_1",
        seq: 2,
        attempt: 1,
        stepId: "lookup",
        type: "api_call",
        status: "completed",
        output,
        startedAt: T0,
        finishedAt: T0 + 50,
      }),
    ]);
    expect(t.events.map((e) => e.type)).toEqual(["step.started", "step.completed"]);
    expect(t.events[1]?.data).toEqual({ duration_ms: 50 });
  });

  it("merges an object result into runtime when the step has no output; ignores non-objects", () => {
    const state = at(started(FLOW, { keep: 1, summary: "old" }), "intake");
    const t = applyStepOutcome(
      FLOW,
      state,
      { kind: "completed", output: { summary: "new", score: 5 } },
      deps(),
      T0,
    );
    expect(t.run.context.runtime).toEqual({ keep: 1, summary: "new", score: 5 });
    const t2 = applyStepOutcome(FLOW, state, { kind: "completed", output: "text" }, deps(), T0);
    expect(t2.run.context.runtime).toEqual({ keep: 1, summary: "old" });
    const t3 = applyStepOutcome(FLOW, state, { kind: "completed", output: [1, 2] }, deps(), T0);
    expect(t3.run.context.runtime).toEqual({ keep: 1, summary: "old" });
  });

  it("does not let __proto__ or constructor keys in a result pollute anything", () => {
    const state = at(started(FLOW), "intake");
    const evil = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "prototype": 1, "ok": true}',
    ) as unknown;
    const t = applyStepOutcome(FLOW, state, { kind: "completed", output: evil }, deps(), T0);
    const runtime = t.run.context.runtime;
    expect(Object.keys(runtime)).toEqual(["ok"]);
    expect(Object.getPrototypeOf(runtime)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(runtime.polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(t.run.context))).toEqual({
      static: { team: "Support" },
      profile: {},
      runtime: { ok: true },
    });
  });

  it("keeps a conditional's routing out of runtime and follows the outcome's next", () => {
    const state = at(started(FLOW, { score: 90 }), "route", 2);
    const t = applyStepOutcome(
      FLOW,
      state,
      { kind: "completed", output: { branch: 0, next: "review" }, next: "review" },
      deps(),
      T0,
    );
    expect(t.run.currentStep).toBe("review");
    expect(t.run.context.runtime).toEqual({ score: 90 });
    expect(t.insertSteps[0]?.output).toEqual({ branch: 0, next: "review" });
  });

  it("completes the run after a step without next", () => {
    const state = at(started(FLOW), "done", 5);
    const t = applyStepOutcome(FLOW, state, { kind: "completed", output: { ack: true } }, deps(), T0);
    expect(t.run).toMatchObject({ status: "completed", currentStep: null, error: null });
    expect(t.events.map((e) => e.type)).toEqual(["step.started", "step.completed", "run.completed"]);
  });

  it("refuses to execute a step of a run that is not running", () => {
    const { state } = parked("intake");
    expect(() => applyStepOutcome(FLOW, state, { kind: "completed", output: {} }, deps(), T0)).toThrow(
      /cannot execute/,
    );
  });
});

describe("applyStepOutcome: failed", () => {
  it("fails the run with the error and the step id", () => {
    const state = at(started(FLOW), "lookup", 1);
    const error = { code: "http_error", message: "GET answered 400", details: [{ status: 400 }] };
    const t = applyStepOutcome(FLOW, state, { kind: "failed", error, input: { url: "u" } }, deps(), T0);
    expect(t.run.status).toBe("failed");
    expect(t.run.error).toEqual({ ...error, step_id: "lookup" });
    expect(t.insertSteps[0]).toMatchObject({ status: "failed", error, input: { url: "u" } });
    expect(t.events.map((e) => e.type)).toEqual(["step.started", "step.failed", "run.failed"]);
    expect(t.events[2]).toMatchObject({ stepId: "lookup", data: { error: { step_id: "lookup" } } });
  });
});

describe("applyStepOutcome: waiting", () => {
  it("mints one API token plus one per recipient with the wait's expiry, and queues the mail", () => {
    const state = at(started(FLOW), "review", 3);
    const outcome = waitingOutcome(["lead@acme.test", "boss@acme.test"], "approval");
    const t = applyStepOutcome(FLOW, state, outcome, deps(), T0);
    expect(t.run.status).toBe("waiting");
    const wait = t.run.pending;
    expect(wait).toMatchObject({
      kind: "human",
      type: "approval",
      stepId: "review",
      seq: 4,
      attemptId: "att_1",
      waitId: "wait_2",
      startedAt: T0,
      expiresAt: T0 + 24 * HOUR,
      remindAt: T0 + 2 * HOUR,
      reminders: 0,
      recipients: ["lead@acme.test", "boss@acme.test"],
    });
    expect(t.mintTokens).toEqual([
      { jti: "tok_3", stepId: "review", waitId: "wait_2", recipient: null, expiresAt: T0 + 24 * HOUR },
      {
        jti: "tok_4",
        stepId: "review",
        waitId: "wait_2",
        recipient: "lead@acme.test",
        expiresAt: T0 + 24 * HOUR,
      },
      {
        jti: "tok_5",
        stepId: "review",
        waitId: "wait_2",
        recipient: "boss@acme.test",
        expiresAt: T0 + 24 * HOUR,
      },
    ]);
    expect(t.effects).toEqual([
      { kind: "mail", waitId: "wait_2", mail: "request", recipients: ["lead@acme.test", "boss@acme.test"] },
    ]);
    expect(t.insertSteps).toEqual([expect.objectContaining({ status: "waiting", stepId: "review" })]);
    expect(t.insertSteps[0]?.finishedAt).toBeUndefined();
    expect(t.events.map((e) => e.type)).toEqual(["step.started", "run.waiting"]);
    expect(t.events[1]?.data).toMatchObject({ type: "approval", wait_id: "wait_2", recipients: 2 });
  });

  it("mints only the API token and sends no mail when nobody is named", () => {
    const t = applyStepOutcome(
      FLOW,
      at(started(FLOW), "plain", 3),
      waitingOutcome([], "approval"),
      deps(),
      T0,
    );
    expect(t.mintTokens).toHaveLength(1);
    expect(t.mintTokens[0]?.recipient).toBeNull();
    expect(t.effects).toEqual([]);
  });

  it("hands an AI step to the queue and remembers the attempt it waits for", () => {
    const state = started(AI, { topic: "owls" });
    const t = applyStepOutcome(AI, state, { kind: "dispatched", prompt: "Write about owls" }, deps(), T0);
    expect(t.run.status).toBe("running");
    expect(t.run.pending).toEqual({
      kind: "ai",
      stepId: "draft",
      seq: 1,
      attemptId: "att_1",
      startedAt: T0,
      prompt: "Write about owls",
    });
    expect(t.effects).toEqual([
      { kind: "ai_job", stepId: "draft", attemptId: "att_1", seq: 1, prompt: "Write about owls" },
    ]);
    expect(t.insertSteps[0]?.status).toBe("running");
  });
});

describe("the loop budget", () => {
  it("executes step number 1,000 and fails the run instead of executing the 1,001st", () => {
    const last = applyStepOutcome(
      FLOW,
      at(started(FLOW), "route", MAX_EXECUTED_STEPS - 1),
      { kind: "completed", output: { branch: "default", next: "plain" }, next: "plain" },
      deps(),
      T0,
    );
    expect(last.run.stepsExecuted).toBe(MAX_EXECUTED_STEPS);
    expect(last.run.status).toBe("running");

    const over = applyStepOutcome(FLOW, last.run, waitingOutcome([], "approval"), deps(), T0);
    expect(over.run.status).toBe("failed");
    expect(over.run.error).toMatchObject({ code: "loop_limit", step_id: "plain" });
    expect(over.run.error?.message).toContain("1000 steps");
    expect(over.insertSteps).toEqual([]);
    expect(over.mintTokens).toEqual([]);
    expect(over.events.map((e) => e.type)).toEqual(["run.failed"]);
  });
});

describe("resolveWait", () => {
  it("stores form data, uses the token, revokes the wait and moves on", () => {
    const { state, wait } = parked("intake");
    const data = { summary: "Broken", channel: "email", urgent: false };
    const t = resolveWait(FLOW, state, { kind: "submitted", output: data }, deps(T0 + HOUR), "tok_x");
    expect(t.run).toMatchObject({ status: "running", currentStep: "lookup", pending: null });
    expect(t.run.context.runtime).toMatchObject(data);
    expect(t.useToken).toBe("tok_x");
    expect(t.revokeWaits).toEqual([wait.waitId]);
    expect(t.updateSteps).toEqual([
      { id: wait.attemptId, status: "completed", output: data, finishedAt: T0 + HOUR },
    ]);
    expect(t.events.map((e) => e.type)).toEqual(["run.resumed", "step.completed"]);
    expect(t.events[1]?.data).toEqual({ duration_ms: HOUR });
    expect(t.mintTokens).toEqual([]);
  });

  const decision = (d: "approved" | "rejected") => ({
    decision: d,
    approver: "lead@acme.test",
    comment: null,
    decided_at: "x",
  });

  it("approved: stores the decision at the step's output and goes to next", () => {
    const { state } = parked("review");
    const t = resolveWait(FLOW, state, { kind: "approved", output: decision("approved") }, deps());
    expect(t.run).toMatchObject({ status: "running", currentStep: "done" });
    expect(t.run.context.runtime.review).toEqual(decision("approved"));
    expect(t.events[0]).toMatchObject({ type: "run.resumed", data: { by: "lead@acme.test" } });
  });

  it("rejected with on_reject goes there; without it the run ends rejected", () => {
    const { state } = parked("review");
    const back = resolveWait(FLOW, state, { kind: "rejected", output: decision("rejected") }, deps());
    expect(back.run).toMatchObject({ status: "running", currentStep: "intake", error: null });
    expect(back.run.context.runtime.review).toMatchObject({ decision: "rejected" });

    const { state: plain } = parked("plain", []);
    const end = resolveWait(FLOW, plain, { kind: "rejected", output: decision("rejected") }, deps());
    expect(end.run).toMatchObject({ status: "rejected", currentStep: null, pending: null });
    expect(end.events.map((e) => e.type)).toEqual(["run.resumed", "step.completed", "run.rejected"]);
    expect(end.updateSteps[0]?.status).toBe("completed");
  });

  it("timeout with fail: the step and the run fail with code timeout", () => {
    const { state, wait } = parked("done", []);
    const t = resolveWait(FLOW, state, { kind: "timed_out_fail" }, deps(T0 + 7 * 24 * HOUR));
    expect(t.run.status).toBe("failed");
    expect(t.run.error).toMatchObject({ code: "timeout", step_id: "done" });
    expect(t.revokeWaits).toEqual([wait.waitId]);
    expect(t.useToken).toBeUndefined();
    expect(t.updateSteps[0]).toMatchObject({
      id: wait.attemptId,
      status: "failed",
      error: { code: "timeout" },
    });
    expect(t.events.map((e) => e.type)).toEqual(["step.failed", "run.failed"]);
  });

  it("timeout with approve/reject/default applies the step's on_timeout", () => {
    const review = stepById(FLOW, "review") as ApprovalStep;
    const plainStep = stepById(FLOW, "plain") as ApprovalStep;
    const intake = stepById(FLOW, "intake") as FormStep;

    const approved = resolveWait(FLOW, parked("review").state, timeoutResolution(review, T0), deps());
    expect(approved.run).toMatchObject({ status: "running", currentStep: "done" });
    expect(approved.run.context.runtime.review).toMatchObject({ decision: "approved", timed_out: true });

    const rejectedTo = resolveWait(
      FLOW,
      parked("review").state,
      { kind: "timed_out_output", decision: "rejected", output: { decision: "rejected" } },
      deps(),
    );
    expect(rejectedTo.run.currentStep).toBe("intake");

    const rejected = resolveWait(FLOW, parked("plain", []).state, timeoutResolution(plainStep, T0), deps());
    expect(rejected.run).toMatchObject({ status: "rejected", currentStep: null });

    const defaults = resolveWait(FLOW, parked("intake").state, timeoutResolution(intake, T0), deps());
    expect(defaults.run).toMatchObject({ status: "running", currentStep: "lookup" });
    expect(defaults.run.context.runtime).toMatchObject({
      summary: "n/a",
      channel: "email",
      urgent: false,
      timed_out: true,
    });
  });

  it("refuses to resolve a run that is not waiting", () => {
    expect(() => resolveWait(FLOW, started(FLOW), { kind: "submitted", output: {} }, deps())).toThrow(
      /not waiting/,
    );
  });
});

describe("cancelRun", () => {
  it("cancels a waiting run and revokes its wait", () => {
    const { state, wait } = parked("intake");
    const t = cancelRun(state, deps(T0 + 5), "tester");
    expect(t.run).toMatchObject({ status: "cancelled", pending: null, currentStep: "intake" });
    expect(t.revokeWaits).toEqual([wait.waitId]);
    expect(t.updateSteps).toEqual([{ id: wait.attemptId, status: "cancelled", finishedAt: T0 + 5 }]);
    expect(t.events).toEqual([{ type: "run.cancelled", stepId: "intake", data: { by: "tester" } }]);
  });

  it("cancels a run whose AI step is in flight, so its late result is ignored", () => {
    const t0 = applyStepOutcome(AI, started(AI), { kind: "dispatched", prompt: "p" }, deps(), T0);
    const t = cancelRun(t0.run, deps(), "tester");
    expect(t.run.status).toBe("cancelled");
    expect(t.revokeWaits).toEqual([]);
    expect(t.updateSteps).toEqual([expect.objectContaining({ id: "att_1", status: "cancelled" })]);
    expect(acceptsAiResult(t.run, "att_1")).toBe(false);
  });

  it("refuses to cancel a terminal run", () => {
    const done = applyStepOutcome(
      FLOW,
      at(started(FLOW), "done"),
      { kind: "completed", output: {} },
      deps(),
      T0,
    );
    expect(() => cancelRun(done.run, deps(), "tester")).toThrow(/already completed/);
  });
});

describe("remindWait", () => {
  it("re-sends to the recipients and schedules the next reminder before the deadline", () => {
    const { state, wait } = parked("intake");
    const now = T0 + 2 * HOUR;
    const t = remindWait(FLOW, state, deps(now));
    expect(t.run.pending).toMatchObject({ reminders: 1, remindAt: now + 2 * HOUR, waitId: wait.waitId });
    expect(t.run.status).toBe("waiting");
    expect(t.effects).toEqual([
      { kind: "mail", waitId: wait.waitId, mail: "reminder", recipients: ["ann@acme.test"] },
    ]);
    expect(t.events).toEqual([
      { type: "wait.reminded", stepId: "intake", attemptId: wait.attemptId, data: { reminder: 1 } },
    ]);
    expect(t.mintTokens).toEqual([]);
    expect(t.revokeWaits).toEqual([]);
  });

  it("stops reminding when the next one would fall after the deadline, and after 10", () => {
    const { state } = parked("intake");
    const late = remindWait(FLOW, state, deps(T0 + 23 * HOUR));
    expect((late.run.pending as HumanWait).remindAt).toBeUndefined();

    let current = state;
    for (let i = 1; i <= 10; i++) {
      const t = remindWait(FLOW, current, deps(T0 + i * 60_000));
      current = t.run;
    }
    expect((current.pending as HumanWait).reminders).toBe(10);
    expect((current.pending as HumanWait).remindAt).toBeUndefined();
  });

  it("sends no mail for a wait without recipients", () => {
    const t = remindWait(FLOW, parked("plain", []).state, deps());
    expect(t.effects).toEqual([]);
  });
});

describe("applyAiResult", () => {
  const meta = {
    provider: "mock",
    model: "m",
    template_id: null,
    tokens_prompt: 10,
    tokens_output: 5,
    latency_ms: 7,
  };
  const attempt = (n: number, ok: boolean): AiAttemptReport => ({
    attempt: n,
    status: ok ? "completed" : "failed",
    input: { prompt: `p${n}` },
    ...(ok ? { output: { title: "T" } } : { error: { message: "invalid", errors: [{ path: "/title" }] } }),
    meta,
    startedAt: T0 + n,
    finishedAt: T0 + n + 1,
  });
  const inFlight = () => {
    const t = applyStepOutcome(AI, started(AI), { kind: "dispatched", prompt: "p" }, deps(), T0);
    return { ...t.run, version: 2 };
  };

  it("records three attempts (1 update, 2 inserts, 2 events each) and completes the run", () => {
    const state = inFlight();
    expect(acceptsAiResult(state, "att_1")).toBe(true);
    expect(acceptsAiResult(state, "att_other")).toBe(false);
    const t = applyAiResult(
      AI,
      state,
      {
        status: "completed",
        output: { title: "T" },
        attempts: [attempt(1, false), attempt(2, false), attempt(3, true)],
      },
      deps(T0 + 100),
    );
    expect(t.updateSteps).toEqual([expect.objectContaining({ id: "att_1", status: "failed" })]);
    expect(t.insertSteps.map((s) => [s.attempt, s.seq, s.status])).toEqual([
      [2, 1, "failed"],
      [3, 1, "completed"],
    ]);
    expect(t.events.map((e) => e.type)).toEqual([
      "ai.request",
      "ai.response",
      "ai.request",
      "ai.response",
      "ai.request",
      "ai.response",
      "step.completed",
      "run.completed",
    ]);
    expect(t.events[1]?.data).toMatchObject({ attempt: 1, tokens_prompt: 10, error: "invalid" });
    expect(t.events[5]?.data).toMatchObject({ attempt: 3, latency_ms: 7 });
    expect(t.events[5]?.data).not.toHaveProperty("error");
    expect(t.run).toMatchObject({ status: "completed", pending: null, currentStep: null });
    expect(t.run.context.runtime.draft).toEqual({ title: "T" });
    expect(acceptsAiResult(t.run, "att_1")).toBe(false); // a duplicate delivery is now stale
  });

  it("fails the run with the validation errors when the attempts are exhausted", () => {
    const t = applyAiResult(
      AI,
      inFlight(),
      {
        status: "failed",
        code: "schema_validation_failed",
        message: "no valid output after 1 attempt",
        errors: [{ path: "/title" }],
        attempts: [attempt(1, false)],
      },
      deps(),
    );
    expect(t.run.status).toBe("failed");
    expect(t.run.error).toEqual({
      code: "schema_validation_failed",
      message: "no valid output after 1 attempt",
      step_id: "draft",
      details: [{ path: "/title" }],
    });
    expect(t.events.map((e) => e.type).slice(-2)).toEqual(["step.failed", "run.failed"]);
  });

  it("closes the open attempt row when the job failed before any provider call", () => {
    const t = applyAiResult(
      AI,
      inFlight(),
      { status: "failed", code: "ai_unavailable", message: "dead-lettered", attempts: [] },
      deps(T0 + 9),
    );
    expect(t.updateSteps).toEqual([
      { id: "att_1", status: "failed", error: { message: "dead-lettered" }, finishedAt: T0 + 9 },
    ]);
    expect(t.run.status).toBe("failed");
  });
});

describe("checkResumeData", () => {
  const intake = stepById(FLOW, "intake") as FormStep;
  const review = stepById(FLOW, "review") as ApprovalStep;
  const actor = { approver: "lead@acme.test", now: T0 };
  const fail = (data: unknown) => {
    const res = checkResumeData(intake, data, actor);
    if (res.ok) throw new Error(`expected ${JSON.stringify(data)} to be rejected`);
    return res.details;
  };

  it("fills defaults of absent optional fields and accepts valid data", () => {
    const res = checkResumeData(intake, { summary: "Hello", score: 4 }, actor);
    expect(res).toEqual({
      ok: true,
      resolution: {
        kind: "submitted",
        output: { summary: "Hello", score: 4, channel: "email", urgent: false },
      },
    });
  });

  it("rejects each broken constraint with the field's path", () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{}, "required", "summary"],
      [{ summary: 5 }, "type", "summary"],
      [{ summary: "ab" }, "minLength", "summary"],
      [{ summary: "x".repeat(21) }, "maxLength", "summary"],
      [{ summary: "abc", score: 1.5 }, "type", "score"],
      [{ summary: "abc", score: -1 }, "minimum", "score"],
      [{ summary: "abc", score: 101 }, "maximum", "score"],
      [{ summary: "abc", channel: "fax" }, "enum", "channel"],
      [{ summary: "abc", code: "abc" }, "pattern", "code"],
      [{ summary: "abc", contact: "not-an-email" }, "format", "contact"],
      [{ summary: "abc", urgent: "yes" }, "type", "urgent"],
      [{ summary: "abc", extra: 1 }, "additionalProperties", "extra"],
    ];
    for (const [data, keyword, path] of cases) {
      const details = fail(data);
      const hit = details.find((d) => d.keyword === keyword);
      expect(hit, `${JSON.stringify(data)} → ${JSON.stringify(details)}`).toBeDefined();
      expect(`${hit?.path} ${hit?.message}`).toContain(path);
    }
    for (const data of [null, [], "text", 3]) {
      expect(fail(data)).toEqual([{ path: "data", message: "must be an object" }]);
    }
  });

  it("accepts an approval decision and records approver, comment and time", () => {
    const res = checkResumeData(review, { decision: "rejected", comment: "No" }, actor);
    expect(res).toEqual({
      ok: true,
      resolution: {
        kind: "rejected",
        output: {
          decision: "rejected",
          approver: "lead@acme.test",
          comment: "No",
          decided_at: new Date(T0).toISOString(),
        },
      },
    });
    const ok = checkResumeData(review, { decision: "approved" }, actor);
    expect(ok.ok && ok.resolution.kind).toBe("approved");
    expect(ok.ok && (ok.resolution as { output: { comment: unknown } }).output.comment).toBeNull();
  });

  it("rejects a malformed approval", () => {
    for (const data of [
      {},
      { decision: "maybe" },
      { decision: "approved", comment: 3 },
      { decision: "approved", by: "x" },
    ]) {
      const res = checkResumeData(review, data, actor);
      expect(res.ok, JSON.stringify(data)).toBe(false);
    }
    const res = checkResumeData(review, { decision: "maybe" }, actor);
    expect(!res.ok && res.details[0]?.path).toBe("decision");
  });
});

describe("timeoutResolution", () => {
  it("follows on_timeout for approvals and forms; fail is the default", () => {
    const review = stepById(FLOW, "review") as ApprovalStep;
    expect(timeoutResolution(review, T0)).toEqual({
      kind: "timed_out_output",
      decision: "approved",
      output: {
        decision: "approved",
        approver: "timeout",
        comment: null,
        decided_at: new Date(T0).toISOString(),
        timed_out: true,
      },
    });
    const plainStep = stepById(FLOW, "plain") as ApprovalStep;
    expect(timeoutResolution(plainStep, T0)).toMatchObject({
      kind: "timed_out_output",
      decision: "rejected",
    });
    expect(timeoutResolution({ ...plainStep, on_timeout: "fail" }, T0)).toEqual({ kind: "timed_out_fail" });
    expect(timeoutResolution({ ...plainStep, on_timeout: undefined }, T0)).toEqual({
      kind: "timed_out_fail",
    });

    const intake = stepById(FLOW, "intake") as FormStep;
    expect(timeoutResolution(intake, T0)).toEqual({
      kind: "timed_out_output",
      output: { summary: "n/a", channel: "email", urgent: false, timed_out: true },
    });
    const done = stepById(FLOW, "done") as FormStep;
    expect(timeoutResolution(done, T0)).toEqual({ kind: "timed_out_fail" });
  });
});

describe("human-wait and conditional executors feed the engine", () => {
  it("a form wait renders its assignee, expires after its timeout and reminds before it", async () => {
    const state = at(started(FLOW, {}, { email: "Ann@Acme.test" }), "intake");
    const outcome = await executeStep(stepById(FLOW, "intake"), {
      definition: FLOW,
      run: state,
      now: T0,
      secrets: {},
    });
    expect(outcome).toMatchObject({
      kind: "waiting",
      type: "form",
      expiresAt: T0 + 24 * HOUR,
      remindAt: T0 + 2 * HOUR,
      recipients: ["ann@acme.test"],
    });
  });

  it("an approval without a timeout waits 7 days; CEL routes on runtime", async () => {
    const state = at(started(FLOW, { score: 81 }), "plain");
    const outcome = await executeStep(stepById(FLOW, "plain"), {
      definition: FLOW,
      run: state,
      now: T0,
      secrets: {},
    });
    expect(outcome).toMatchObject({ kind: "waiting", expiresAt: T0 + 7 * 24 * HOUR, recipients: [] });
    expect(outcome.kind === "waiting" && outcome.remindAt).toBeUndefined();

    const route = stepById(FLOW, "route");
    const high = await executeStep(route, {
      definition: FLOW,
      run: at(state, "route"),
      now: T0,
      secrets: {},
    });
    expect(high).toMatchObject({ kind: "completed", next: "review" });
    const low = at(started(FLOW, { score: 80 }), "route");
    expect(await executeStep(route, { definition: FLOW, run: low, now: T0, secrets: {} })).toMatchObject({
      kind: "completed",
      next: "plain",
    });
    const missing = at(started(FLOW), "route");
    expect(await executeStep(route, { definition: FLOW, run: missing, now: T0, secrets: {} })).toMatchObject({
      kind: "failed",
      error: { code: "expression_error", details: [{ expression: "runtime.score > 80" }] },
    });
  });
});
