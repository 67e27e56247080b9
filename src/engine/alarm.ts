import type { Definition } from "../definitions/types";
import type { AiStepResult } from "./ai-result";
import { stepById } from "./engine";
import type { WaitResolution } from "./outcomes";
import { timeoutResolution } from "./resume-check";
import type { RunState } from "./state";

/** What the run's alarm does when it fires; the run's object performs it. */
export type AlarmAction =
  /** The wait's deadline passed: resolve it as the step's `on_timeout` says. */
  | { kind: "time_out"; stepId: string; resolution: WaitResolution }
  /** A reminder is due. */
  | { kind: "remind" }
  /** The run is running with nothing in flight (its object died between steps): carry it on. */
  | { kind: "drive" }
  /** An AI job may be lost: re-send it, or give the step up once re-sent too often. */
  | { kind: "resend_ai" }
  | { kind: "none" };

/** What an AI step reports when the watchdog gave up on its job. */
export const AI_LOST: AiStepResult = {
  status: "failed",
  code: "ai_lost",
  message: "The AI job never came back, even after re-sending it; the step gave up",
  attempts: [],
};

/**
 * Decides what a firing alarm does for `run` at `now`. `repaired` is true when this alarm just redid a
 * transition's lost effects: an AI job those effects re-sent is not re-sent again.
 */
export function decideAlarm(run: RunState, def: Definition, now: number, repaired: boolean): AlarmAction {
  const wait = run.pending;
  if (run.status === "waiting" && wait?.kind === "human") {
    const step = stepById(def, wait.stepId);
    if (now >= wait.expiresAt && (step.type === "form" || step.type === "approval")) {
      return { kind: "time_out", stepId: wait.stepId, resolution: timeoutResolution(step, now) };
    }
    if (wait.remindAt !== undefined && now >= wait.remindAt) return { kind: "remind" };
    return { kind: "none" };
  }
  if (run.status === "running" && !wait) return { kind: "drive" };
  if (run.status === "running" && wait?.kind === "ai" && !repaired) return { kind: "resend_ai" };
  return { kind: "none" };
}
