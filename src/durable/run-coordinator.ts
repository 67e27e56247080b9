import { DurableObject } from "cloudflare:workers";
import { type ApiToken, getRun, loadRun, loadRunAndToken } from "../db/run-queries";
import type { RunOrigin } from "../db/run-store";
import type { Definition } from "../definitions/types";
import { type AiStepResult, acceptsAiResult, applyAiResult } from "../engine/ai-result";
import { AI_LOST, type AlarmAction, decideAlarm } from "../engine/alarm";
import { cancelRun, failPending, remindWait } from "../engine/control";
import { applyStepOutcome, stepById } from "../engine/engine";
import { resolveWait } from "../engine/resolve-wait";
import { checkResumeData } from "../engine/resume-check";
import { resumeTarget } from "../engine/resume-target";
import { type RunState, TERMINAL, type Transition } from "../engine/state";
import { executeStep } from "../executors";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { createLogger, type Logger } from "../lib/logger";
import { collectWorkflowSecrets } from "../lib/secrets";
import { resendAiJob } from "./ai-watchdog";
import { firstTransition } from "./begin";
import { commitTransition, repairEffects } from "./commit";
import { scheduleAlarm } from "./effects";
import { startCommitError } from "./idempotency-race";
import { definitionOf, mustLoadDefinition } from "./load";
import type { ResumeParams, StartParams } from "./params";
import { type RpcResult, rpcFail, rpcOk } from "./rpc";
import { type RunSnapshot, runSnapshot } from "./snapshot";

// Callers import what the object answers from here.
export type { RunSnapshot } from "./snapshot";

/** The storage key of the run this object serves. */
const RUN_ID_KEY = "runId";

/**
 * One per run, and the only writer of its run. Every entry (start, resume, cancel, AI result, alarm) is
 * queued on a promise chain so its body runs alone even while it awaits D1, queues or fetch. Policy is
 * the engine's: the object loads, asks, commits and runs effects.
 */
export class RunCoordinator extends DurableObject<Env> {
  private chain: Promise<unknown> = Promise.resolve();
  /** The run id this instance knows is in storage (the alarm handler finds its run by it). */
  private storedRunId: string | undefined;
  /** When this object last committed a transition (the run row's updated_at). */
  private committedAt = 0;
  /** The last recipient-less token this object minted (the API's token of the wait it opened). */
  private apiToken: ApiToken | undefined;

  /** Runs `fn` after every earlier entry of this object has finished (protected: the bench floor uses it). */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** An RPC entry: serialised, its domain errors returned as data. */
  private entry<T>(fn: () => Promise<T>): Promise<RpcResult<T>> {
    return this.serial(async () => {
      try {
        return rpcOk(await fn());
      } catch (e) {
        return rpcFail(e);
      }
    });
  }

  private log(runId: string): Logger {
    return createLogger(this.env.LOG_LEVEL, { run_id: runId });
  }

  /** Creates the run and drives it to its first wait, AI step or end. */
  start(p: StartParams): Promise<RpcResult<RunSnapshot>> {
    return this.entry(async () => {
      await this.rememberRun(p.runId);
      const def = await mustLoadDefinition(this.env.DB, p.workflowId, p.workflowVersion);
      const now = Date.now();
      const t = await firstTransition(def, p, this.deps(now));
      await this.commit(def, t, now, p.origin).catch((e: unknown) => {
        throw startCommitError(e);
      });
      this.log(p.runId).info("run started", { workflow_id: p.workflowId, version: p.workflowVersion });
      return this.snapshot(await this.drive(def, t.run), p.origin.requestHash);
    });
  }

  /** Applies a person's answer to the run's current wait, exactly once. */
  resume(p: ResumeParams): Promise<RpcResult<RunSnapshot>> {
    return this.entry(async () => {
      const { claims } = p;
      const { state, token } = await loadRunAndToken(this.env.DB, p.runId, claims.jti);
      const loaded = state && { run: state, def: await definitionOf(this.env.DB, state) };
      const target = { runId: p.runId, waitId: claims.waitId, stepId: claims.stepId };
      const { run, def, wait, step } = resumeTarget(loaded, token, target);
      const now = Date.now();
      const check = checkResumeData(step, p.data, { approver: claims.recipient ?? p.principal, now });
      if (!check.ok) throw new AppError("validation_failed", "The submitted data is invalid", check.details);
      const t = resolveWait(def, run, check.resolution, this.deps(now), claims.jti);
      await this.commit(def, t, now);
      this.log(p.runId).info("run resumed", { step_id: wait.stepId });
      return this.snapshot(await this.drive(def, t.run), null);
    });
  }

  /** Cancels a waiting or running run; its links stop working. */
  cancel(runId: string, by: string): Promise<RpcResult<RunSnapshot>> {
    return this.entry(async () => {
      const state = await getRun(this.env.DB, runId);
      if (TERMINAL.has(state.status)) throw new AppError("conflict", `The run is already ${state.status}`);
      const def = await definitionOf(this.env.DB, state);
      const now = Date.now();
      const t = cancelRun(state, this.deps(now), by);
      await this.commit(def, t, now);
      await scheduleAlarm(this.ctx.storage, t.run);
      this.log(runId).info("run cancelled", { by });
      return this.snapshot(t.run, null);
    });
  }

  /** Applies an AI step's result once; a stale or duplicate delivery changes nothing. */
  aiResult(runId: string, attemptId: string, result: AiStepResult): Promise<RpcResult<{ applied: boolean }>> {
    return this.entry(async () => {
      await this.rememberRun(runId);
      const state = await getRun(this.env.DB, runId);
      if (!acceptsAiResult(state, attemptId)) return { applied: false };
      const def = await definitionOf(this.env.DB, state);
      const now = Date.now();
      const t = applyAiResult(def, state, result, this.deps(now));
      await this.commit(def, t, now);
      this.log(runId).info("ai result applied", { step_id: state.pending?.stepId, status: result.status });
      await this.drive(def, t.run);
      return { applied: true };
    });
  }

  /** Timeouts, reminders, and repair after a crash between a batch and its effects. */
  override async alarm(): Promise<void> {
    await this.serial(async () => {
      const runId = await this.ctx.storage.get<string>(RUN_ID_KEY);
      if (!runId) return;
      const state = await loadRun(this.env.DB, runId);
      if (!state) return;
      const def = await definitionOf(this.env.DB, state);
      // A failing send is kept for a later alarm: it never keeps this one from its timeout or reminder.
      const { repaired, abandoned } = await repairEffects(this.env, this.ctx.storage, state, this.log(runId));
      const now = Date.now();
      const action = decideAlarm(state, def, now, repaired, abandoned);
      await scheduleAlarm(this.ctx.storage, await this.perform(action, def, state, now));
    });
  }

  /** Performs what the alarm decided; returns the run as it then stands. */
  private async perform(action: AlarmAction, def: Definition, run: RunState, now: number): Promise<RunState> {
    switch (action.kind) {
      case "time_out": {
        const t = resolveWait(def, run, action.resolution, this.deps(now));
        await this.commit(def, t, now);
        this.log(run.id).info("wait timed out", { step_id: action.stepId });
        return this.drive(def, t.run);
      }
      case "remind": {
        const t = remindWait(def, run, this.deps(now));
        await this.commit(def, t, now);
        return t.run;
      }
      case "drive":
        return this.drive(def, run);
      case "resend_ai": {
        if ((await resendAiJob(this.env, this.ctx.storage, run, this.log(run.id))) === "resent") return run;
        const t = applyAiResult(def, run, AI_LOST, this.deps(now));
        await this.commit(def, t, now);
        return this.drive(def, t.run);
      }
      case "fail_unsent": {
        const t = failPending(run, action.error, this.deps(now));
        await this.commit(def, t, now);
        return t.run;
      }
      case "none":
        return run;
    }
  }

  private snapshot(run: RunState, requestHash: string | null): RunSnapshot {
    return runSnapshot(run, { committedAt: this.committedAt, requestHash, minted: this.apiToken });
  }

  private deps(now: number) {
    return { now, newId: (prefix: string) => newId(prefix, now) };
  }

  /** Executes steps until the run waits, hands work to a queue, or ends. Each step is one transition. */
  private async drive(def: Definition, start: RunState): Promise<RunState> {
    let state = start;
    const io = { secrets: collectWorkflowSecrets(this.env), secretHosts: this.env.SECRETS_ALLOWED_HOSTS };
    while (state.status === "running" && !state.pending && state.currentStep) {
      const step = stepById(def, state.currentStep);
      const startedAt = Date.now();
      const outcome = await executeStep(step, { definition: def, run: state, now: startedAt, ...io });
      const now = Date.now();
      const t = applyStepOutcome(def, state, outcome, this.deps(now), startedAt);
      await this.commit(def, t, now);
      state = t.run;
    }
    await scheduleAlarm(this.ctx.storage, state);
    return state;
  }

  /** Puts the run id where the alarm handler looks for it, once per instance. */
  private async rememberRun(runId: string): Promise<void> {
    if (this.storedRunId === runId) return;
    await this.ctx.storage.put(RUN_ID_KEY, runId);
    this.storedRunId = runId;
  }

  /** Writes the transition as one batch, then performs its effects (see commit.ts). */
  private async commit(def: Definition, t: Transition, now: number, origin?: RunOrigin): Promise<void> {
    // Every alarm (timer or watchdog) is set during or after a commit: make sure the alarm handler can
    // find the run even when the object's storage was lost after the run started.
    await this.rememberRun(t.run.id);
    await commitTransition(this.env, this.ctx.storage, this.log(t.run.id), { def, t, now, origin });
    this.committedAt = now;
    const minted = t.mintTokens.find((m) => m.recipient === null);
    if (minted) {
      this.apiToken = { waitId: minted.waitId, jti: minted.jti, expiresAt: minted.expiresAt, createdAt: now };
    }
  }
}
