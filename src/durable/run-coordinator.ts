import { DurableObject } from "cloudflare:workers";
import type { ApiToken, RunRecord } from "../db/run-queries";
import { loadRun, loadRunAndToken } from "../db/run-queries";
import type { RunOrigin } from "../db/run-store";
import { loadDefinition } from "../definitions/cache";
import type { Definition } from "../definitions/types";
import { type AiStepResult, acceptsAiResult, applyAiResult } from "../engine/ai-result";
import { cancelRun, remindWait } from "../engine/control";
import { applyStepOutcome, beginRun, resolveWait, stepById } from "../engine/engine";
import { checkResumeData, timeoutResolution } from "../engine/resume-check";
import { type RunState, TERMINAL, type Transition } from "../engine/state";
import { executeStep } from "../executors";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { createLogger, type Logger } from "../lib/logger";
import { collectWorkflowSecrets } from "../lib/secrets";
import type { ResumeClaims } from "../tokens";
import { resendAiJob } from "./ai-watchdog";
import { commitTransition, type PendingEffects } from "./commit";
import { runEffects, scheduleAlarm } from "./effects";
import { type RpcResult, rpcFail, rpcOk } from "./rpc";

export interface StartParams {
  runId: string;
  workflowId: string;
  workflowVersion: number;
  inputs: Record<string, unknown>;
  profile: Record<string, unknown>;
  origin: RunOrigin;
}

export interface ResumeParams {
  runId: string;
  claims: ResumeClaims;
  data: unknown;
  /** Who resumed, when the token names no recipient (the API principal). */
  principal: string;
}

/**
 * What RPC callers learn: the run exactly as this call wrote it, and the API token of its open wait when
 * this object minted it, so the caller answers without reading D1 again.
 */
export interface RunSnapshot {
  record: RunRecord;
  /** Absent when this object did not mint it (e.g. it restarted since): the caller looks it up. */
  apiToken?: ApiToken;
}

/**
 * One per run, and the only writer of its run. Every entry (start, resume, cancel, AI result, alarm) is
 * queued on a promise chain so its body runs alone even while it awaits D1, queues or fetch.
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

  private log(runId: string): Logger {
    return createLogger(this.env.LOG_LEVEL, { run_id: runId });
  }

  /** Creates the run and drives it to its first wait, AI step or end. */
  start(p: StartParams): Promise<RpcResult<RunSnapshot>> {
    return this.serial(async () => {
      try {
        await this.ctx.storage.put("runId", p.runId);
        this.storedRunId = p.runId;
        const def = await this.definition(p.workflowId, p.workflowVersion);
        const now = Date.now();
        const begun = beginRun(
          def,
          { runId: p.runId, workflowVersion: p.workflowVersion, inputs: p.inputs, profile: p.profile },
          this.deps(now),
        );
        // The first step shares the run's creating batch (one D1 round trip less) unless it has side
        // effects: an api_call must not run before the run exists, or an idempotency race could repeat it.
        let t = begun;
        const first = stepById(def, def.start_step);
        if (first.type !== "api_call") {
          const outcome = await executeStep(first, { definition: def, run: begun.run, now, secrets: {} });
          t = applyStepOutcome(def, begun.run, outcome, this.deps(now), now);
          t.events.unshift(...begun.events);
        }
        try {
          await this.commit(def, t, now, p.origin);
        } catch (e) {
          if (
            e instanceof Error &&
            /UNIQUE constraint failed: runs\.created_by, runs\.idempotency_key/i.test(
              `${e.message} ${String(e.cause ?? "")}`,
            )
          ) {
            throw new AppError("conflict", "idempotency_race");
          }
          throw e;
        }
        this.log(p.runId).info("run started", { workflow_id: p.workflowId, version: p.workflowVersion });
        return rpcOk(this.snapshot(await this.drive(def, t.run), p.origin.requestHash));
      } catch (e) {
        return rpcFail(e);
      }
    });
  }

  /** Applies a person's answer to the run's current wait, exactly once. */
  resume(p: ResumeParams): Promise<RpcResult<RunSnapshot>> {
    return this.serial(async () => {
      try {
        const { state, token } = await loadRunAndToken(this.env.DB, p.runId, p.claims.jti);
        if (!state) throw new AppError("not_found", `Run '${p.runId}' not found`);
        if (!token || token.runId !== p.runId)
          throw new AppError("unauthorized", "This link is not valid for this run");
        if (token.usedAt !== null) throw new AppError("conflict", "This link was already used");
        if (state.status === "cancelled") throw new AppError("conflict", "The run was cancelled");
        if (TERMINAL.has(state.status))
          throw new AppError(
            "conflict",
            `The run has already ${state.status === "completed" ? "completed" : `ended (${state.status})`}`,
          );
        const wait = state.pending;
        if (
          wait?.kind !== "human" ||
          wait.waitId !== p.claims.waitId ||
          wait.stepId !== p.claims.stepId ||
          token.revokedAt !== null
        ) {
          throw new AppError(
            "conflict",
            `The run is not waiting on step '${p.claims.stepId}' for this link any more`,
          );
        }
        const def = await this.definition(state.workflowId, state.workflowVersion);
        const step = stepById(def, wait.stepId);
        if (step.type !== "form" && step.type !== "approval")
          throw new Error(`step ${step.id} is not a human step`);
        const now = Date.now();
        const approver = p.claims.recipient ?? p.principal;
        const check = checkResumeData(step, p.data, { approver, now });
        if (!check.ok)
          throw new AppError("validation_failed", "The submitted data is invalid", check.details);
        const t = resolveWait(def, state, check.resolution, this.deps(now), p.claims.jti);
        await this.commit(def, t, now);
        this.log(p.runId).info("run resumed", { step_id: wait.stepId });
        return rpcOk(this.snapshot(await this.drive(def, t.run), null));
      } catch (e) {
        return rpcFail(e);
      }
    });
  }

  /** Cancels a waiting or running run; its links stop working. */
  cancel(runId: string, by: string): Promise<RpcResult<RunSnapshot>> {
    return this.serial(async () => {
      try {
        const state = await this.mustLoad(runId);
        if (TERMINAL.has(state.status)) throw new AppError("conflict", `The run is already ${state.status}`);
        const def = await this.definition(state.workflowId, state.workflowVersion);
        const now = Date.now();
        const t = cancelRun(state, this.deps(now), by);
        await this.commit(def, t, now);
        await scheduleAlarm(this.ctx.storage, t.run);
        this.log(runId).info("run cancelled", { by });
        return rpcOk(this.snapshot(t.run, null));
      } catch (e) {
        return rpcFail(e);
      }
    });
  }

  /** Applies an AI step's result once; a stale or duplicate delivery changes nothing. */
  aiResult(runId: string, attemptId: string, result: AiStepResult): Promise<RpcResult<{ applied: boolean }>> {
    return this.serial(async () => {
      try {
        await this.ctx.storage.put("runId", runId);
        const state = await this.mustLoad(runId);
        if (!acceptsAiResult(state, attemptId)) return rpcOk({ applied: false });
        const def = await this.definition(state.workflowId, state.workflowVersion);
        const now = Date.now();
        const t = applyAiResult(def, state, result, this.deps(now));
        await this.commit(def, t, now);
        this.log(runId).info("ai result applied", { step_id: state.pending?.stepId, status: result.status });
        await this.drive(def, t.run);
        return rpcOk({ applied: true });
      } catch (e) {
        return rpcFail(e);
      }
    });
  }

  /** Timeouts, reminders, and repair after a crash between a batch and its effects. */
  override async alarm(): Promise<void> {
    await this.serial(async () => {
      const runId = await this.ctx.storage.get<string>("runId");
      if (!runId) return;
      const state = await loadRun(this.env.DB, runId);
      if (!state) return;
      const def = await this.definition(state.workflowId, state.workflowVersion);
      const pending = await this.ctx.storage.get<PendingEffects>("effects");
      const repaired = pending !== undefined;
      if (pending) {
        // The batch committed if the run reached the version it was to write; then redo its effects.
        if (state.version >= pending.version) await runEffects(this.env, pending.transition, this.log(runId));
        await this.ctx.storage.delete("effects");
      }
      let current: RunState = state;
      const now = Date.now();
      const wait = current.pending;
      if (current.status === "waiting" && wait?.kind === "human") {
        const step = stepById(def, wait.stepId);
        if (now >= wait.expiresAt && (step.type === "form" || step.type === "approval")) {
          const t = resolveWait(def, current, timeoutResolution(step, now), this.deps(now));
          await this.commit(def, t, now);
          this.log(runId).info("wait timed out", { step_id: wait.stepId });
          current = await this.drive(def, t.run);
        } else if (wait.remindAt !== undefined && now >= wait.remindAt) {
          const t = remindWait(def, current, this.deps(now));
          await this.commit(def, t, now);
          current = t.run;
        }
      } else if (current.status === "running" && !current.pending) {
        current = await this.drive(def, current);
      } else if (current.status === "running" && current.pending?.kind === "ai" && !repaired) {
        const log = this.log(runId);
        if ((await resendAiJob(this.env, this.ctx.storage, current, log)) === "give_up") {
          const lost: AiStepResult = {
            status: "failed",
            code: "ai_lost",
            message: "The AI job never came back, even after re-sending it; the step gave up",
            attempts: [],
          };
          const t = applyAiResult(def, current, lost, this.deps(now));
          await this.commit(def, t, now);
          current = await this.drive(def, t.run);
        }
      }
      await scheduleAlarm(this.ctx.storage, current);
    });
  }

  /** The run as its last commit wrote it (requestHash is only known to the start that set it). */
  private snapshot(run: RunState, requestHash: string | null): RunSnapshot {
    const wait = run.pending;
    const open = run.status === "waiting" && wait?.kind === "human";
    const token = open && this.apiToken?.waitId === wait.waitId ? this.apiToken : undefined;
    return {
      record: { ...run, requestHash, updatedAt: this.committedAt },
      ...(token ? { apiToken: token } : {}),
    };
  }

  private deps(now: number) {
    return { now, newId: (prefix: string) => newId(prefix, now) };
  }

  private async mustLoad(runId: string): Promise<RunState> {
    const state = await loadRun(this.env.DB, runId);
    if (!state) throw new AppError("not_found", `Run '${runId}' not found`);
    return state;
  }

  private async definition(workflowId: string, version: number): Promise<Definition> {
    const def = await loadDefinition(this.env.DB, workflowId, version);
    if (!def) throw new AppError("not_found", `Workflow '${workflowId}' version ${version} not found`);
    return def;
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

  /** Writes the transition as one batch, then performs its effects (see commit.ts). */
  private async commit(def: Definition, t: Transition, now: number, origin?: RunOrigin): Promise<void> {
    // Every alarm (timer or watchdog) is set during or after a commit: make sure the alarm handler can
    // find the run even when the object's storage was lost after the run started.
    if (this.storedRunId !== t.run.id) {
      await this.ctx.storage.put("runId", t.run.id);
      this.storedRunId = t.run.id;
    }
    await commitTransition(this.env, this.ctx.storage, this.log(t.run.id), { def, t, now, origin });
    this.committedAt = now;
    const minted = t.mintTokens.find((m) => m.recipient === null);
    if (minted) {
      this.apiToken = { waitId: minted.waitId, jti: minted.jti, expiresAt: minted.expiresAt, createdAt: now };
    }
  }
}
