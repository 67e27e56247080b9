import { describe, expect, it } from "vitest";
import { decideAlarm } from "../../src/engine/alarm";
import { decideWait } from "../../src/engine/decide";
import type { EngineDeps } from "../../src/engine/engine";
import type { WaitResolution } from "../../src/engine/outcomes";
import type { HumanWait, RunState } from "../../src/engine/state";
import { escalateWait, reassignWait, resendLinks } from "../../src/engine/wait-links";
import { waitItem } from "../../src/engine/wait-view";
import { renderPolicy } from "../../src/executors/approval-policy";
import { AppError } from "../../src/lib/errors";
import { humanWait, parseDef, runState } from "../helpers/states";

// The approval policy's rules on plain run states: no object, no bindings, an injected clock.

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3_600_000;

const DEF = parseDef(`
id: policy
name: Policy
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["a@acme.test", "b@acme.test", "c@acme.test"]
    quorum: 2
    forbid: ["{{profile.email}}"]
    remind_after: 2h
    timeout: 1d
    escalate:
      - { after: 1h, to: ["lead@acme.test", "{{profile.email}}"] }
      - { after: 4h, to: ["vp@acme.test"] }
    output: sign
`);

const SIGN = DEF.steps[0];
if (SIGN?.type !== "approval") throw new Error("the test definition starts with an approval");

const deps = (now = T0): EngineDeps => {
  let n = 0;
  return { now, newId: (prefix) => `${prefix}_${++n}` };
};

const wait = (over: Partial<HumanWait> = {}): HumanWait =>
  humanWait({
    type: "approval",
    stepId: "sign",
    startedAt: T0,
    expiresAt: T0 + 24 * HOUR,
    remindAt: T0 + 2 * HOUR,
    recipients: ["a@acme.test", "b@acme.test", "c@acme.test"],
    required: 2,
    decisions: [],
    forbidden: ["req@acme.test"],
    escalations: 0,
    escalateAt: T0 + HOUR,
    ...over,
  });

const waiting = (w: HumanWait): RunState =>
  runState({
    workflowId: DEF.id,
    status: "waiting",
    currentStep: "sign",
    pending: w,
    context: { static: {}, profile: { email: "req@acme.test" }, runtime: {} },
  });

const approval = (approver: string, decision: "approved" | "rejected" = "approved"): WaitResolution => ({
  kind: decision,
  output: { decision, approver, comment: null, decided_at: new Date(T0).toISOString() },
});

const link = (recipient: string | null) => ({ jti: `tok_${recipient}`, recipient });

describe("rendering the policy when the wait starts", () => {
  it("drops forbidden approvers and fixes the quorum and the first escalation", () => {
    const view = { profile: { email: "b@acme.test" } };
    const out = renderPolicy(SIGN, ["a@acme.test", "b@acme.test", "c@acme.test"], view, T0);
    expect(out).toEqual({
      recipients: ["a@acme.test", "c@acme.test"],
      policy: { required: 2, forbidden: ["b@acme.test"], dropped: ["b@acme.test"], escalateAt: T0 + HOUR },
    });
  });

  it("fails with quorum_unreachable when too few approvers remain", () => {
    const out = renderPolicy(SIGN, ["a@acme.test", "b@acme.test"], { profile: { email: "a@acme.test" } }, T0);
    expect(out).toMatchObject({ failed: { kind: "failed", error: { code: "quorum_unreachable" } } });
  });
});

describe("decideWait", () => {
  it("records an approval short of the quorum and keeps waiting, using up only that link", () => {
    const t = decideWait(DEF, waiting(wait()), approval("a@acme.test"), link("a@acme.test"), deps());
    expect(t.run.status).toBe("waiting");
    expect((t.run.pending as HumanWait).decisions).toHaveLength(1);
    expect(t.useToken).toBe("tok_a@acme.test");
    expect(t.revokeWaits).toEqual([]);
    expect(t.events.map((e) => e.type)).toEqual(["approval.decided"]);
  });

  it("keeps the API's link for other principals on a partial decision", () => {
    const t = decideWait(DEF, waiting(wait()), approval("api:tester"), link(null), deps());
    expect(t.useToken).toBeUndefined();
  });

  it("completes at the quorum with every decision in the result, and closes the wait", () => {
    const first = decideWait(DEF, waiting(wait()), approval("a@acme.test"), link("a@acme.test"), deps());
    const t = decideWait(DEF, first.run, approval("c@acme.test"), link("c@acme.test"), deps());
    expect(t.run.status).toBe("completed");
    expect(t.run.context.runtime.sign).toMatchObject({
      decision: "approved",
      approvals: [{ approver: "a@acme.test" }, { approver: "c@acme.test" }],
    });
    expect(t.revokeWaits).toEqual(["wait_1"]);
    expect(t.closedWaits[0]?.decisions).toHaveLength(2);
  });

  it("rejects on the first rejection, and refuses a second decision by the same person", () => {
    const first = decideWait(DEF, waiting(wait()), approval("a@acme.test"), link("a@acme.test"), deps());
    expect(() => decideWait(DEF, first.run, approval("a@acme.test"), link("a@acme.test"), deps())).toThrow(
      AppError,
    );
    const t = decideWait(DEF, first.run, approval("b@acme.test", "rejected"), link("b@acme.test"), deps());
    expect(t.run.status).toBe("rejected");
  });
});

describe("escalation on the alarm", () => {
  it("is due at escalateAt, after a due timeout and before a due reminder", () => {
    const w = wait({ escalateAt: T0 + HOUR, remindAt: T0 + HOUR });
    expect(decideAlarm(waiting(w), DEF, T0 + HOUR - 1, false)).toEqual({ kind: "none" });
    expect(decideAlarm(waiting(w), DEF, T0 + HOUR, false)).toEqual({ kind: "escalate" });
    expect(decideAlarm(waiting(wait({ expiresAt: T0 + HOUR })), DEF, T0 + HOUR, false).kind).toBe("time_out");
  });

  it("adds each level's addresses once, skipping forbidden ones, and schedules the next level", () => {
    const t = escalateWait(DEF, waiting(wait()), deps(T0 + HOUR));
    const w = t.run.pending as HumanWait;
    expect(w.recipients).toEqual(["a@acme.test", "b@acme.test", "c@acme.test", "lead@acme.test"]);
    expect(w.escalations).toBe(1);
    expect(w.escalateAt).toBe(T0 + 4 * HOUR);
    expect(t.mintTokens.map((m) => m.recipient)).toEqual(["lead@acme.test"]);
    expect(t.events.map((e) => e.type)).toEqual(["wait.recipient_forbidden", "wait.escalated"]);
    const last = escalateWait(DEF, t.run, deps(T0 + 4 * HOUR));
    expect((last.run.pending as HumanWait).escalateAt).toBeUndefined();
    expect(decideAlarm(last.run, DEF, T0 + 5 * HOUR, false)).toEqual({ kind: "remind" });
  });
});

describe("resend and reassign", () => {
  it("resend revokes and re-mints the undecided recipients' links", () => {
    const w = wait({
      decisions: [{ approver: "a@acme.test", decision: "approved", comment: null, decided_at: "" }],
    });
    const t = resendLinks(waiting(w), "wait_1", undefined, deps());
    expect(t.revokeRecipients?.map((r) => r.recipient)).toEqual(["b@acme.test", "c@acme.test"]);
    expect(t.mintTokens.map((m) => m.recipient)).toEqual(["b@acme.test", "c@acme.test"]);
    expect(() => resendLinks(waiting(w), "wait_1", "a@acme.test", deps())).toThrow(/already decided/);
    expect(() => resendLinks(waiting(w), "wait_9", undefined, deps())).toThrow(/not the run's open wait/);
  });

  it("reassign moves a link and the inbox shows where everyone stands", () => {
    const move = { from: "B@acme.test", to: "d@acme.test", by: "ops" };
    const t = reassignWait(waiting(wait()), "wait_1", move, deps());
    const w = t.run.pending as HumanWait;
    expect(t.revokeRecipients).toEqual([{ waitId: "wait_1", recipient: "b@acme.test" }]);
    expect(waitItem(t.run, w, null).recipients.map((r) => `${r.email}:${r.status}`)).toEqual([
      "a@acme.test:pending",
      "c@acme.test:pending",
      "d@acme.test:pending",
      "b@acme.test:reassigned",
    ]);
    const forbidden = { from: "a@acme.test", to: "req@acme.test", by: "ops" };
    expect(() => reassignWait(waiting(wait()), "wait_1", forbidden, deps())).toThrow(/may not decide/);
  });
});
