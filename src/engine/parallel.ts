import type { Definition, ParallelStep } from "../definitions/types";
import { storeResult } from "./context";
import type { EngineDeps } from "./engine";
import { type Lane, type LanePath, laneAt, laneView } from "./lanes";
import { completeRun, failStep } from "./run-end";
import { type Branch, type ParallelWait, type RunState, TERMINAL, type Transition } from "./state";
import type { AttemptStart } from "./step-outcome";

// How a parallel step runs (docs/workflows.md, `parallel`): it splits its lane into branches; a step's
// transition on a branch is folded back into the whole run, and the parallel steps around the branch
// settle: a branch that ended meets its join, a branch that failed or was rejected ends the run.

/**
 * Applies `fn` to the lane at `path` and folds its transition back into the whole run, settling the
 * parallel steps around the lane (at []: `fn` on the run itself).
 */
export function inLane(
  def: Definition,
  state: RunState,
  path: LanePath,
  deps: EngineDeps,
  fn: (view: RunState) => Transition,
): Transition {
  if (path.length === 0) return fn(state);
  const t = fn(laneView(state, path));
  const { lane: _view, ...shared } = t.run;
  const root: RunState = {
    ...shared,
    status: state.status,
    currentStep: state.currentStep,
    pending: structuredClone(state.pending),
  };
  const lane = laneAt(root, path);
  lane.status = t.run.status;
  lane.currentStep = t.run.currentStep;
  lane.pending = t.run.pending;
  t.run = root;
  settle(def, t, [...path], deps);
  return t;
}

/** A parallel step started: its lane waits for its branches, each starting at its first step. */
export function splitRun(t: Transition, step: ParallelStep, attempt: AttemptStart): void {
  const { stepId, seq, startedAt } = attempt;
  const branches: Branch[] = step.branches.map((b) => ({
    start: b.start,
    status: "running",
    currentStep: b.start,
    pending: null,
  }));
  t.insertSteps.push({ ...attempt, status: "running" });
  t.run.pending = {
    kind: "parallel",
    stepId,
    seq,
    attemptId: attempt.id,
    startedAt,
    join: step.join,
    branches,
  };
  t.events.push({
    type: "parallel.started",
    stepId,
    attemptId: attempt.id,
    data: { join: step.join, branches: branches.map((b) => b.start) },
  });
}

/** Walks up from the lane that changed: joins what finished, ends the run with a failed branch. */
function settle(def: Definition, t: Transition, path: number[], deps: EngineDeps): void {
  for (let at = path; at.length > 0; at = at.slice(0, -1)) {
    const branch = laneAt(t.run, at) as Branch; // a non-empty path names a branch
    if (branch.status === "failed" || branch.status === "rejected") {
      endRun(t, branch.status, deps);
      return;
    }
    if (branch.status !== "completed") break;
    const parent = laneAt(t.run, at.slice(0, -1));
    const split = parent.pending as ParallelWait;
    const ids = { stepId: split.stepId, attemptId: split.attemptId };
    t.events.push({ ...ids, type: "branch.completed", data: { branch: branch.start } });
    if (split.join === "all" && !split.branches.every((b) => b.status === "completed")) break;
    for (const loser of split.branches.filter((b) => !TERMINAL.has(b.status))) {
      cancelLane(t, loser, deps);
      t.events.push({ ...ids, type: "branch.cancelled", data: { branch: loser.start, by: branch.start } });
    }
    if (!join(def, t, parent, split, deps, at.length === 1)) return;
  }
  refreshStatus(t.run);
}

/**
 * A parallel step's join is met: the step completes and its lane moves on (or ends). False when the
 * step's result did not fit the run's context: the run failed.
 */
function join(
  def: Definition,
  t: Transition,
  lane: Lane,
  split: ParallelWait,
  deps: EngineDeps,
  isRun: boolean,
): boolean {
  const step = def.steps.find((s) => s.id === split.stepId) as ParallelStep;
  const ids = { stepId: split.stepId, attemptId: split.attemptId };
  const output = {
    join: split.join,
    branches: split.branches.map((b) => ({ start: b.start, status: b.status })),
  };
  lane.pending = null;
  const tooLarge = step.output ? storeResult(t.run.context, step.output, output) : undefined;
  if (tooLarge) {
    t.updateSteps.push({ id: split.attemptId, status: "failed", error: tooLarge, finishedAt: deps.now });
    failStep(t, ids, tooLarge);
    endRun(t, "failed", deps);
    return false;
  }
  t.updateSteps.push({ id: split.attemptId, status: "completed", output, finishedAt: deps.now });
  t.events.push({ ...ids, type: "step.completed", data: { duration_ms: deps.now - split.startedAt } });
  if (step.next) {
    lane.currentStep = step.next;
    lane.status = "running";
  } else if (isRun) {
    completeRun(t);
  } else {
    lane.currentStep = null;
    lane.status = "completed";
  }
  return true;
}

/** A branch failed or was rejected, and the run with it: every other lane's step in flight is cancelled. */
function endRun(t: Transition, status: "failed" | "rejected", deps: EngineDeps): void {
  cancelLane(t, t.run, deps);
  t.run.status = status;
}

/**
 * Stops a lane and every branch under it: the attempts in flight end `cancelled`, open waits' links are
 * revoked, child runs are cancelled after the commit, and a late AI result finds nothing to apply.
 */
export function cancelLane(t: Transition, lane: Lane, deps: EngineDeps): void {
  const pending = lane.pending;
  if (pending?.kind === "parallel") {
    for (const b of pending.branches) if (!TERMINAL.has(b.status)) cancelLane(t, b, deps);
  }
  if (pending) t.updateSteps.push({ id: pending.attemptId, status: "cancelled", finishedAt: deps.now });
  if (pending?.kind === "human") {
    t.revokeWaits.push(pending.waitId);
    t.closedWaits.push(pending);
  }
  if (pending?.kind === "child") t.cancelChildren.push(pending.childRunId);
  lane.pending = null;
  lane.status = "cancelled";
}

/** A split lane runs while any of its branches runs (its step or AI job), else it waits. */
function refreshStatus(lane: Lane): void {
  if (lane.pending?.kind !== "parallel" || TERMINAL.has(lane.status)) return;
  for (const b of lane.pending.branches) refreshStatus(b);
  lane.status = lane.pending.branches.some((b) => b.status === "running") ? "running" : "waiting";
}
