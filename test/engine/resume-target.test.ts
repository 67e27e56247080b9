import { describe, expect, it } from "vitest";
import type { LinkToken } from "../../src/engine/link-check";
import { resumeTarget } from "../../src/engine/resume-target";
import type { RunState } from "../../src/engine/state";
import { AppError } from "../../src/lib/errors";
import { humanWait, parseDef, runState } from "../helpers/states";

// The checks a resume passes before its data is even looked at, on plain objects, in their order.

const DEF = parseDef(`
id: resume-flow
name: Resume flow
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["lead@acme.test"]
    next: route
  - id: route
    type: conditional
    branches: [{ when: "true", next: sign }]
    default: sign
`);

const wait = humanWait({ type: "approval", stepId: "sign", recipients: ["lead@acme.test"] });

const run = (over: Partial<RunState> = {}): RunState =>
  runState({
    workflowId: DEF.id,
    status: "waiting",
    currentStep: "sign",
    pending: wait,
    version: 2,
    ...over,
  });

const token: LinkToken = { runId: "run_1", waitId: "wait_1", usedAt: null, revokedAt: null };
const target = { runId: "run_1", waitId: "wait_1", stepId: "sign" };
const loaded = (over: Partial<RunState> = {}) => ({ run: run(over), def: DEF });

/** The AppError a resume is refused with. */
function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected the resume to be refused");
}

describe("resumeTarget", () => {
  it("answers the run, its definition, the open wait and its step", () => {
    const target_ = resumeTarget(loaded(), token, target);
    expect(target_.wait).toEqual(wait);
    expect(target_.step).toMatchObject({ id: "sign", type: "approval" });
    expect(target_.run.id).toBe("run_1");
    expect(target_.def).toBe(DEF);
  });

  it("refuses a run that does not exist", () => {
    expect(refusal(() => resumeTarget(null, token, target))).toEqual({
      code: "not_found",
      message: "Run 'run_1' not found",
    });
  });

  it("refuses a token the database does not know, or knows for another run", () => {
    const invalid = { code: "unauthorized", message: "This link is not valid for this run" };
    expect(refusal(() => resumeTarget(loaded(), null, target))).toEqual(invalid);
    expect(refusal(() => resumeTarget(loaded(), { ...token, runId: "run_2" }, target))).toEqual(invalid);
  });

  it("refuses a used link before anything about the run", () => {
    const used = { ...token, usedAt: 5 };
    const answer = { code: "conflict", message: "This link was already used" };
    expect(refusal(() => resumeTarget(loaded(), used, target))).toEqual(answer);
    expect(refusal(() => resumeTarget(loaded({ status: "cancelled", pending: null }), used, target))).toEqual(
      answer,
    );
  });

  it("refuses a cancelled or ended run, naming how it ended", () => {
    const ended = (status: RunState["status"]) =>
      refusal(() => resumeTarget(loaded({ status, pending: null, currentStep: null }), token, target));
    expect(ended("cancelled")).toEqual({ code: "conflict", message: "The run was cancelled" });
    expect(ended("completed")).toEqual({ code: "conflict", message: "The run has already completed" });
    expect(ended("rejected")).toEqual({ code: "conflict", message: "The run has already ended (rejected)" });
    expect(ended("failed")).toEqual({ code: "conflict", message: "The run has already ended (failed)" });
  });

  it("refuses a link whose wait is over: revoked, another wait or step, or the run moved on", () => {
    const stale = {
      code: "conflict",
      message: "The run is not waiting on step 'sign' for this link any more",
    };
    expect(refusal(() => resumeTarget(loaded(), { ...token, revokedAt: 5 }, target))).toEqual(stale);
    const otherWait = { ...target, waitId: "wait_2" };
    expect(refusal(() => resumeTarget(loaded(), { ...token, waitId: "wait_2" }, otherWait))).toEqual(stale);
    expect(refusal(() => resumeTarget(loaded({ status: "running", pending: null }), token, target))).toEqual(
      stale,
    );
    expect(refusal(() => resumeTarget(loaded(), token, { ...target, stepId: "route" })).message).toBe(
      "The run is not waiting on step 'route' for this link any more",
    );
  });

  it("a wait parked on a step that is not human is a bug, not a bad link", () => {
    const broken = loaded({ pending: { ...wait, stepId: "route" }, currentStep: "route" });
    const onRoute = { ...target, stepId: "route" };
    expect(() => resumeTarget(broken, token, onRoute)).toThrow("step route is not a human step");
    expect(() => resumeTarget(broken, token, onRoute)).not.toThrow(AppError);
  });
});
