import type { Definition } from "../definitions/types";
import { applyAiResult } from "../engine/ai-result";
import { AI_LOST, type LaneAction } from "../engine/alarm";
import { applyChildEnd, type ChildEnd, laneOfChild } from "../engine/child-run";
import { failPending, remindWait } from "../engine/control";
import { applyStepOutcome, type EngineDeps, stepById } from "../engine/engine";
import { laneOfAttempt, laneView, leafLanes, runnableLane } from "../engine/lanes";
import { inLane } from "../engine/parallel";
import { resolveWait } from "../engine/resolve-wait";
import { type RunState, TERMINAL, type Transition } from "../engine/state";
import { escalateWait } from "../engine/wait-links";
import { executeStep } from "../executors";
import type { ChildStartRequest } from "../executors/types";
import type { Logger } from "../lib/logger";
import { collectWorkflowSecrets } from "../lib/secrets";
import type { RunDb } from "../run-db/client";
import type { RunRecord } from "../run-db/run-model";
import type { RunOrigin } from "../run-db/store";
import { withSpan } from "../telemetry";
import { resendAiJob } from "./ai-watchdog";
import { childStanding, startChildRun } from "./children";
import { definitionOf } from "./load";

export type { ChildEnd };

/** What driving a run needs of its object. */
export interface Steps {
  env: Env;
  storage: DurableObjectStorage;
  /** The run's own database (the same storage, through drizzle). */
  db: RunDb;
  log(runId: string): Logger;
  deps(now: number): EngineDeps;
  /** Writes a transition (`origin`: the one that creates the run) and performs its effects. */
  commit(def: Definition, t: Transition, now: number, origin?: RunOrigin): Promise<void>;
  /** Sets the alarm to the run's next deadline; `run` is the run as just committed (else it is read). */
  reschedule(run?: RunState): Promise<void>;
}

/**
 * Executes steps until every lane of the run waits, hands work to a queue, or ended (its branches one
 * after the other, each until it waits). Each step is one transition.
 */
export async function drive(o: Steps, def: Definition, start: RunState): Promise<RunState> {
  let state = start;
  const io = { secrets: collectWorkflowSecrets(o.env), secretHosts: o.env.SECRETS_ALLOWED_HOSTS };
  for (let lane = runnableLane(state); lane; lane = runnableLane(state)) {
    const run = laneView(state, lane);
    const step = stepById(def, run.currentStep as string);
    const startedAt = Date.now();
    const startChild = (request: ChildStartRequest) => startChildRun(o.env, o.db, run, request);
    const attributes = { "scaff.run_id": state.id, "scaff.step_id": step.id, "scaff.step_type": step.type };
    const outcome = await withSpan("scaff.step", { attributes }, () =>
      executeStep(step, { definition: def, run, now: startedAt, ...io, startChild }),
    );
    const now = Date.now();
    const deps = o.deps(now);
    const t = inLane(def, state, lane, deps, (view) => applyStepOutcome(def, view, outcome, deps, startedAt));
    await o.commit(def, t, now);
    state = t.run;
  }
  await o.reschedule(state);
  return state;
}

/** Performs what the alarm decided; returns the run as it then stands. */
export async function perform(
  o: Steps,
  action: LaneAction,
  def: Definition,
  run: RunState,
  now: number,
): Promise<RunState> {
  const deps = o.deps(now);
  // The action is for one lane (a branch, or the run itself): done on its view, folded back into the run.
  const onLane = async (fn: (view: RunState) => Transition) => {
    const t = inLane(def, run, action.lane ?? [], deps, fn);
    await o.commit(def, t, now);
    return t.run;
  };
  const view = laneView(run, action.lane ?? []);
  switch (action.kind) {
    case "time_out": {
      const after = await onLane((v) => resolveWait(def, v, action.resolution, deps));
      o.log(run.id).info("wait timed out", { step_id: action.stepId });
      return drive(o, def, after);
    }
    case "remind":
      return onLane((v) => remindWait(def, v, deps));
    case "escalate":
      return onLane((v) => escalateWait(def, v, deps));
    case "drive":
      return drive(o, def, run);
    case "resend_ai":
      return drive(o, def, await resendAiJobs(o, def, run, deps, now));
    case "fail_unsent":
      return drive(o, def, await onLane((v) => failPending(v, action.error, deps)));
    case "check_child": {
      if (view.pending?.kind !== "child") return run;
      const end = await childStanding(o.env, view.pending.childRunId);
      if (!TERMINAL.has(end.status)) return run;
      return drive(o, def, await onLane((v) => applyChildEnd(def, v, end, deps)));
    }
    case "none":
      return run;
  }
}

/**
 * Re-sends every AI job in flight (parallel branches can wait for several; each keeps its own count),
 * failing the step of one re-sent too often (`ai_lost`).
 */
async function resendAiJobs(o: Steps, def: Definition, run: RunState, deps: EngineDeps, now: number) {
  let state = run;
  const attempts = leafLanes(run).flatMap(({ lane }) =>
    lane.pending?.kind === "ai" ? [lane.pending.attemptId] : [],
  );
  for (const attemptId of attempts) {
    const lane = laneOfAttempt(state, attemptId);
    if (!lane) continue; // an earlier give-up ended the run
    if ((await resendAiJob(o.env, o.storage, laneView(state, lane), o.log(run.id))) === "resent") continue;
    const t = inLane(def, state, lane, deps, (view) => applyAiResult(def, view, AI_LOST, deps));
    await o.commit(def, t, now);
    state = t.run;
  }
  return state;
}

/** A child run ended: the `workflow` step waiting for it completes or fails and the run drives on. */
export async function childEnded(o: Steps, state: RunRecord, end: ChildEnd): Promise<{ applied: boolean }> {
  const lane = laneOfChild(state, end.runId);
  if (!lane) return { applied: false };
  const def = await definitionOf(o.env.DB, state);
  const now = Date.now();
  const deps = o.deps(now);
  const t = inLane(def, state, lane, deps, (view) => applyChildEnd(def, view, end, deps));
  await o.commit(def, t, now);
  o.log(state.id).info("child run ended", { child_run_id: end.runId, status: end.status });
  await drive(o, def, t.run);
  return { applied: true };
}
