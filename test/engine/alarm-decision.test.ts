import { describe, expect, it } from "vitest";
import { AI_LOST, decideAlarm } from "../../src/engine/alarm";
import type { HumanWait, RunState } from "../../src/engine/state";
import { humanWait, parseDef, runState } from "../helpers/states";

// What the run's alarm decides, on plain run states: no object, no bindings.

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3_600_000;

const DEF = parseDef(`
id: alarm-flow
name: Alarm flow
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["lead@acme.test"]
    timeout: 1d
    remind_after: 1h
    on_timeout: approve
    output: sign
    next: ask
  - id: ask
    type: form
    fields: [{ name: note, type: string }]
    timeout: 2h
    on_timeout: fail
    next: draft
  - id: draft
    type: ai_generate
    prompt: "Write"
    schema: { type: object }
    output: draft
`);

const wait = (stepId: string, over: Partial<HumanWait> = {}): HumanWait =>
  humanWait({
    type: stepId === "sign" ? "approval" : "form",
    stepId,
    startedAt: T0,
    expiresAt: T0 + 24 * HOUR,
    remindAt: T0 + HOUR,
    recipients: ["lead@acme.test"],
    ...over,
  });

const run = (over: Partial<RunState>): RunState =>
  runState({ workflowId: DEF.id, currentStep: "sign", version: 2, createdAt: T0, ...over });

const waiting = (w: HumanWait) => run({ status: "waiting", currentStep: w.stepId, pending: w });

const aiInFlight = run({
  currentStep: "draft",
  pending: { kind: "ai", stepId: "draft", seq: 3, attemptId: "att_3", startedAt: T0, prompt: "Write" },
});

describe("decideAlarm", () => {
  it("times a wait out once its deadline passed, as the step's on_timeout says", () => {
    const expired = waiting(wait("sign"));
    const action = decideAlarm(expired, DEF, T0 + 24 * HOUR, false);
    expect(action).toMatchObject({
      kind: "time_out",
      stepId: "sign",
      resolution: {
        kind: "timed_out_output",
        decision: "approved",
        output: { decision: "approved", approver: "timeout", timed_out: true },
      },
    });
    const failing = waiting(wait("ask", { expiresAt: T0 + 2 * HOUR, remindAt: undefined }));
    expect(decideAlarm(failing, DEF, T0 + 3 * HOUR, false)).toEqual({
      kind: "time_out",
      stepId: "ask",
      resolution: { kind: "timed_out_fail" },
    });
  });

  it("a timeout wins over a reminder that is due at the same time", () => {
    const both = waiting(wait("sign", { remindAt: T0 + HOUR }));
    expect(decideAlarm(both, DEF, T0 + 25 * HOUR, false).kind).toBe("time_out");
  });

  it("reminds when a reminder is due and the wait has not expired", () => {
    const w = waiting(wait("sign"));
    expect(decideAlarm(w, DEF, T0 + HOUR, false)).toEqual({ kind: "remind" });
    expect(decideAlarm(w, DEF, T0 + 2 * HOUR, true)).toEqual({ kind: "remind" });
  });

  it("does nothing for a wait before its next deadline, or one that no longer reminds", () => {
    expect(decideAlarm(waiting(wait("sign")), DEF, T0 + HOUR - 1, false)).toEqual({ kind: "none" });
    const noReminder = waiting(wait("sign", { remindAt: undefined }));
    expect(decideAlarm(noReminder, DEF, T0 + 2 * HOUR, false)).toEqual({ kind: "none" });
  });

  it("drives a running run with nothing in flight (its object died between steps)", () => {
    expect(decideAlarm(run({ currentStep: "ask" }), DEF, T0, false)).toEqual({ kind: "drive" });
    expect(decideAlarm(run({ currentStep: "ask" }), DEF, T0, true)).toEqual({ kind: "drive" });
  });

  it("re-sends an AI job in flight, unless the effects just repaired already re-sent it", () => {
    expect(decideAlarm(aiInFlight, DEF, T0, false)).toEqual({ kind: "resend_ai" });
    expect(decideAlarm(aiInFlight, DEF, T0, true)).toEqual({ kind: "none" });
  });

  it("does nothing for a run that ended", () => {
    for (const status of ["completed", "rejected", "failed", "cancelled"] as const) {
      expect(decideAlarm(run({ status, currentStep: null }), DEF, T0 + 48 * HOUR, false)).toEqual({
        kind: "none",
      });
    }
  });

  it("a lost AI job fails its step with ai_lost and no attempts", () => {
    expect(AI_LOST).toEqual({
      status: "failed",
      code: "ai_lost",
      message: "The AI job never came back, even after re-sending it; the step gave up",
      attempts: [],
    });
  });
});
