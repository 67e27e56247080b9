import type { Definition } from "../definitions/types";
import type { AiStepResult } from "./ai-result";
import { withDecisions } from "./approval-policy";
import { stepById } from "./engine";
import {
  findLane,
  type LanePath,
  laneOfAttempt,
  laneOfWait,
  laneView,
  leafLanes,
  runnableLane,
} from "./lanes";
import type { WaitResolution } from "./outcomes";
import { timeoutResolution } from "./resume-check";
import type { Effect, RunError, RunState } from "./state";

/** What the run's alarm does when it fires; the run's object performs it. */
export type AlarmAction =
  /** The wait's deadline passed: resolve it as the step's `on_timeout` says. */
  | { kind: "time_out"; stepId: string; resolution: WaitResolution }
  /** A reminder is due. */
  | { kind: "remind" }
  /** The next escalation level of an approval is due. */
  | { kind: "escalate" }
  /** The run is running with nothing in flight (its object died between steps): carry it on. */
  | { kind: "drive" }
  /** AI jobs may be lost: re-send each one in flight, or give its step up once re-sent too often. */
  | { kind: "resend_ai" }
  /** The step's queue messages (its AI job or emails) could not be sent, however often tried: fail it. */
  | { kind: "fail_unsent"; error: RunError }
  /** The run waits for a child run: ask the child whether it ended (its notice may have been lost). */
  | { kind: "check_child" }
  | { kind: "none" };

/** What an AI step reports when the watchdog gave up on its job. */
export const AI_LOST: AiStepResult = {
  status: "failed",
  code: "ai_lost",
  message: "The AI job never came back, even after re-sending it; the step gave up",
  attempts: [],
};

/** What a step fails with when its queue messages could never be sent. */
export const QUEUE_SEND_FAILED: RunError = {
  code: "queue_send_failed",
  message:
    "The step's work (its AI job or its emails) could not be handed to its queue, however often tried; the step gave up",
};

/**
 * The effects of `effects` that the run still waits on: the AI job of the attempt in flight, the emails
 * of the open wait. Any other one is moot (its consumer would drop it) and is not sent again.
 */
export function owedEffects(run: RunState, effects: readonly Effect[]): Effect[] {
  return effects.filter((e) =>
    e.kind === "ai_job"
      ? findLane(run, (p) => p.kind === "ai" && p.attemptId === e.attemptId) !== null
      : laneOfWait(run, e.waitId) !== null,
  );
}

/**
 * Decides what a firing alarm does for `run` at `now`. `repaired` is true when this alarm found a
 * transition's effects still owed (it re-sent them, or will retry them): an AI job among them is not
 * re-sent a second way. `abandoned` are owed effects whose sends were given up on: their step fails.
 */
export function decideAlarm(
  run: RunState,
  def: Definition,
  now: number,
  repaired: boolean,
  abandoned: readonly Effect[] = [],
): LaneAction {
  const owed = owedEffects(run, abandoned)[0];
  if (owed) {
    const lane = owed.kind === "ai_job" ? laneOfAttempt(run, owed.attemptId) : laneOfWait(run, owed.waitId);
    return { kind: "fail_unsent", error: QUEUE_SEND_FAILED, ...onLane(lane ?? []) };
  }
  if (runnableLane(run)) return { kind: "drive" };
  // Each branch's step in flight has its own deadline. A wait's timeout, escalation or reminder goes
  // first; asking about a child or re-sending a job (due at every alarm) never keeps it waiting.
  const due = leafLanes(run).flatMap(({ path }) => {
    const action = decideLane(laneView(run, path), def, now, repaired);
    return action.kind === "none" ? [] : [{ ...action, ...onLane(path) }];
  });
  const timed = due.find((a) => a.kind !== "check_child" && a.kind !== "resend_ai");
  return timed ?? due[0] ?? { kind: "none" };
}

/** An alarm action and the branch it is for (engine/lanes.ts; absent: the run itself). */
export type LaneAction = AlarmAction & { lane?: LanePath };

const onLane = (path: LanePath) => (path.length > 0 ? { lane: path } : {});

function decideLane(run: RunState, def: Definition, now: number, repaired: boolean): AlarmAction {
  const wait = run.pending;
  if (run.status === "waiting" && wait?.kind === "human") {
    const step = stepById(def, wait.stepId);
    if (now >= wait.expiresAt && (step.type === "form" || step.type === "approval")) {
      const resolution = withDecisions(timeoutResolution(step, now), wait);
      return { kind: "time_out", stepId: wait.stepId, resolution };
    }
    // Nobody fixed the AI's output in time: the step fails as it would have without `on_invalid: fix`.
    if (now >= wait.expiresAt && step.type === "ai_generate") {
      return { kind: "time_out", stepId: wait.stepId, resolution: { kind: "timed_out_fail" } };
    }
    if (wait.escalateAt !== undefined && now >= wait.escalateAt) return { kind: "escalate" };
    if (wait.remindAt !== undefined && now >= wait.remindAt) return { kind: "remind" };
    return { kind: "none" };
  }
  if (run.status === "waiting" && wait?.kind === "child") return { kind: "check_child" };
  if (run.status === "running" && !wait) return { kind: "drive" };
  if (run.status === "running" && wait?.kind === "ai" && !repaired) return { kind: "resend_ai" };
  return { kind: "none" };
}
