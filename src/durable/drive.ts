import type { Definition } from "../definitions/types";
import { applyAiResult } from "../engine/ai-result";
import { AI_LOST, type AlarmAction } from "../engine/alarm";
import { acceptsChildEnd, applyChildEnd, type ChildEnd } from "../engine/child-run";
import { failPending, remindWait } from "../engine/control";
import { applyStepOutcome, type EngineDeps, stepById } from "../engine/engine";
import { resolveWait } from "../engine/resolve-wait";
import { type RunState, TERMINAL, type Transition } from "../engine/state";
import { escalateWait } from "../engine/wait-links";
import { executeStep } from "../executors";
import type { ChildStartRequest } from "../executors/types";
import type { Logger } from "../lib/logger";
import { collectWorkflowSecrets } from "../lib/secrets";
import type { RunDb } from "../run-db/client";
import type { RunRecord } from "../run-db/run-model";
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
  commit(def: Definition, t: Transition, now: number): Promise<void>;
  reschedule(): Promise<void>;
}

/** Executes steps until the run waits, hands work to a queue, or ends. Each step is one transition. */
export async function drive(o: Steps, def: Definition, start: RunState): Promise<RunState> {
  let state = start;
  const io = { secrets: collectWorkflowSecrets(o.env), secretHosts: o.env.SECRETS_ALLOWED_HOSTS };
  while (state.status === "running" && !state.pending && state.currentStep) {
    const step = stepById(def, state.currentStep);
    const startedAt = Date.now();
    const run = state;
    const startChild = (request: ChildStartRequest) => startChildRun(o.env, o.db, run, request);
    const attributes = { "scaff.run_id": state.id, "scaff.step_id": step.id, "scaff.step_type": step.type };
    const outcome = await withSpan("scaff.step", { attributes }, () =>
      executeStep(step, { definition: def, run, now: startedAt, ...io, startChild }),
    );
    const now = Date.now();
    const t = applyStepOutcome(def, state, outcome, o.deps(now), startedAt);
    await o.commit(def, t, now);
    state = t.run;
  }
  await o.reschedule();
  return state;
}

/** Performs what the alarm decided; returns the run as it then stands. */
export async function perform(
  o: Steps,
  action: AlarmAction,
  def: Definition,
  run: RunState,
  now: number,
): Promise<RunState> {
  switch (action.kind) {
    case "time_out": {
      const t = resolveWait(def, run, action.resolution, o.deps(now));
      await o.commit(def, t, now);
      o.log(run.id).info("wait timed out", { step_id: action.stepId });
      return drive(o, def, t.run);
    }
    case "remind": {
      const t = remindWait(def, run, o.deps(now));
      await o.commit(def, t, now);
      return t.run;
    }
    case "escalate": {
      const t = escalateWait(def, run, o.deps(now));
      await o.commit(def, t, now);
      return t.run;
    }
    case "drive":
      return drive(o, def, run);
    case "resend_ai": {
      if ((await resendAiJob(o.env, o.storage, run, o.log(run.id))) === "resent") return run;
      const t = applyAiResult(def, run, AI_LOST, o.deps(now));
      await o.commit(def, t, now);
      return drive(o, def, t.run);
    }
    case "fail_unsent": {
      const t = failPending(run, action.error, o.deps(now));
      await o.commit(def, t, now);
      return t.run;
    }
    case "check_child": {
      if (run.pending?.kind !== "child") return run;
      const end = await childStanding(o.env, run.pending.childRunId);
      if (!TERMINAL.has(end.status)) return run;
      const t = applyChildEnd(def, run, end, o.deps(now));
      await o.commit(def, t, now);
      return drive(o, def, t.run);
    }
    case "none":
      return run;
  }
}

/** A child run ended: the `workflow` step waiting for it completes or fails and the run drives on. */
export async function childEnded(o: Steps, state: RunRecord, end: ChildEnd): Promise<{ applied: boolean }> {
  if (!acceptsChildEnd(state, end)) return { applied: false };
  const def = await definitionOf(o.env.DB, state);
  const now = Date.now();
  const t = applyChildEnd(def, state, end, o.deps(now));
  await o.commit(def, t, now);
  o.log(state.id).info("child run ended", { child_run_id: end.runId, status: end.status });
  await drive(o, def, t.run);
  return { applied: true };
}
