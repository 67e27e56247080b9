import { describe, expect, it } from "vitest";
import { acceptsAiResult, applyAiResult } from "../../src/engine/ai-result";
import { decideAlarm } from "../../src/engine/alarm";
import { cancelRun } from "../../src/engine/control";
import { applyStepOutcome, beginRun, stepById } from "../../src/engine/engine";
import { laneOfWait, laneView, openHumanWaits, runnableLane } from "../../src/engine/lanes";
import type { StepOutcome } from "../../src/engine/outcomes";
import { inLane } from "../../src/engine/parallel";
import { resolveWait } from "../../src/engine/resolve-wait";
import type { AiPending, RunState, Transition } from "../../src/engine/state";
import { parseDef } from "../helpers/states";

// The engine alone: a parallel step inside a branch of another (depth 2), driven as the run's object
// drives it (each runnable lane in turn), with forms answered and timeouts decided on their lanes.
const def = parseDef(`
id: nested
name: Nested parallel steps
start_step: outer
steps:
  - id: outer
    type: parallel
    branches: [{ start: inner }, { start: x }]
    next: last
  - id: inner
    type: parallel
    branches: [{ start: y }, { start: write }]
    output: inner
  - { id: x, type: form, fields: [{ name: v, type: string }], timeout: 1h }
  - { id: y, type: form, fields: [{ name: v, type: string }] }
  - id: write
    type: ai_generate
    prompt: "Write."
    schema: { type: object }
    output: draft
  - { id: last, type: form, fields: [{ name: v, type: string }] }
`);

let clock = 1_000;
let ids = 0;
const deps = () => ({ now: clock, newId: (prefix: string) => `${prefix}_${++ids}` });

function outcomeFor(stepId: string): StepOutcome {
  const step = stepById(def, stepId);
  if (step.type === "parallel") return { kind: "parallel" };
  if (step.type === "ai_generate") return { kind: "dispatched", prompt: "Write." };
  return {
    kind: "waiting",
    type: "form",
    expiresAt: clock + (step.timeout_ms ?? 86_400_000),
    recipients: [],
  };
}

/** Executes every runnable lane until all wait; returns the run and every transition's events. */
function driveAll(state: RunState, log: Transition[]): RunState {
  for (let lane = runnableLane(state); lane; lane = runnableLane(state)) {
    const outcome = outcomeFor(laneView(state, lane).currentStep as string);
    const t = inLane(def, state, lane, deps(), (v) => applyStepOutcome(def, v, outcome, deps(), clock));
    log.push(t);
    state = t.run;
  }
  return state;
}

function answer(state: RunState, stepId: string, log: Transition[]): RunState {
  const wait = openHumanWaits(state).find((w) => w.stepId === stepId);
  if (!wait) throw new Error(`no open wait on ${stepId}`);
  const lane = laneOfWait(state, wait.waitId) ?? [];
  const t = inLane(def, state, lane, deps(), (v) =>
    resolveWait(def, v, { kind: "submitted", output: { v: stepId } }, deps()),
  );
  log.push(t);
  return driveAll(t.run, log);
}

const started = (log: Transition[]) => {
  const begin = beginRun(def, { runId: "run_1", workflowVersion: 1, inputs: {}, profile: {} }, deps());
  log.push(begin);
  return driveAll(begin.run, log);
};

const eventTypes = (log: Transition[]) => log.flatMap((t) => t.events.map((e) => e.type));

describe("lanes of a run with parallel steps", () => {
  it("opens every branch's wait, runs the AI branch, joins inner then outer, and goes on", () => {
    const log: Transition[] = [];
    let run = started(log);
    expect(run.status).toBe("running"); // the AI job is in flight in a branch
    expect(openHumanWaits(run).map((w) => w.stepId)).toEqual(["y", "x"]);
    const ai = run.pending?.kind === "parallel" ? run.pending.branches[0]?.pending : null;
    const job = (ai?.kind === "parallel" ? ai.branches[1]?.pending : null) as AiPending;
    expect(job.kind).toBe("ai");
    expect(acceptsAiResult(run, job.attemptId)).toBe(true);

    const t = inLane(def, run, [0, 1], deps(), (v) =>
      applyAiResult(def, v, { status: "completed", output: { ok: true }, attempts: [] }, deps()),
    );
    log.push(t);
    run = t.run;
    expect(run.status).toBe("waiting"); // every lane now waits on a person
    expect(run.context.runtime.draft).toEqual({ ok: true });

    run = answer(run, "y", log);
    expect(run.context.runtime.inner).toEqual({
      join: "all",
      branches: [
        { start: "y", status: "completed" },
        { start: "write", status: "completed" },
      ],
    });
    expect(openHumanWaits(run).map((w) => w.stepId)).toEqual(["x"]);
    expect(run.currentStep).toBe("outer");
    run = answer(run, "x", log);
    expect(run).toMatchObject({ status: "waiting", currentStep: "last" });
    expect(run.pending).toMatchObject({ kind: "human", stepId: "last" });
    expect(eventTypes(log).filter((e) => e === "branch.completed")).toHaveLength(4);
    run = answer(run, "last", log);
    expect(run.status).toBe("completed");
    expect(eventTypes(log).filter((e) => e === "run.completed")).toHaveLength(1);
  });

  it("a crash between two branches' steps leaves a runnable branch: the alarm drives it on", () => {
    const begin = beginRun(def, { runId: "run_1", workflowVersion: 1, inputs: {}, profile: {} }, deps());
    // Only the parallel step's own transition committed: its branches have not executed a step yet.
    const split = applyStepOutcome(def, begin.run, { kind: "parallel" }, deps(), clock).run;
    expect(runnableLane(split)).toEqual([0]);
    expect(decideAlarm(split, def, clock, false, [])).toEqual({ kind: "drive" });
    const log: Transition[] = [];
    expect(openHumanWaits(driveAll(split, log)).map((w) => w.stepId)).toEqual(["y", "x"]);
  });

  it("a branch's timeout fails the run: the other branches' attempts are cancelled and their links revoked", () => {
    const log: Transition[] = [];
    const run = started(log);
    clock += 3_600_001;
    const action = decideAlarm(run, def, clock, false, []);
    expect(action).toMatchObject({ kind: "time_out", stepId: "x", lane: [1] });
    if (action.kind !== "time_out") return;
    const t = inLane(def, run, action.lane ?? [], deps(), (v) =>
      resolveWait(def, v, action.resolution, deps()),
    );
    expect(t.run).toMatchObject({
      status: "failed",
      pending: null,
      error: { code: "timeout", step_id: "x" },
    });
    const y = openHumanWaits(run).find((w) => w.stepId === "y");
    expect(t.revokeWaits).toEqual(expect.arrayContaining([y?.waitId]));
    expect(t.closedWaits.map((w) => w.stepId).sort()).toEqual(["x", "y"]);
    const cancelled = t.updateSteps.filter((u) => u.status === "cancelled").length;
    expect(cancelled).toBe(4); // y, write, and the two parallel steps' attempts
    const job = log.flatMap((l) => l.effects).find((e) => e.kind === "ai_job");
    expect(job && acceptsAiResult(t.run, job.attemptId)).toBe(false);
  });

  it("an alarm re-sends a branch's AI job, never before a wait's due deadline; cancel stops every lane", () => {
    const log: Transition[] = [];
    const run = started(log);
    // The effects the alarm just repaired re-sent the job already.
    expect(decideAlarm(run, def, clock, true, [])).toEqual({ kind: "none" });
    expect(decideAlarm(run, def, clock, false, [])).toEqual({ kind: "resend_ai", lane: [0, 1] });
    // x's timeout is due, in the branch after the AI's: it goes first.
    expect(decideAlarm(run, def, clock + 3_600_001, false, [])).toMatchObject({
      kind: "time_out",
      lane: [1],
    });
    const t = cancelRun(run, deps(), "api:tester");
    expect(t.run).toMatchObject({ status: "cancelled", pending: null });
    expect(t.closedWaits).toHaveLength(2);
    expect(openHumanWaits(t.run)).toEqual([]);
  });
});
