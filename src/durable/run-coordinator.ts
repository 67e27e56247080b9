import { DurableObject } from "cloudflare:workers";
import type { Definition } from "../definitions/types";
import { type AiStepResult, acceptsAiResult, applyAiResult } from "../engine/ai-result";
import { decideAlarm } from "../engine/alarm";
import { cancelRun } from "../engine/control";
import { laneOfAttempt, laneView } from "../engine/lanes";
import { inLane } from "../engine/parallel";
import { type RunState, TERMINAL, type Transition } from "../engine/state";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { createLogger, type Logger } from "../lib/logger";
import { openRunDb, type RunDb } from "../run-db/client";
import type { MailFate } from "../run-db/mail";
import type { RunRecord } from "../run-db/run-model";
import { loadRun, onlyRun } from "../run-db/runs";
import type { Committed, RunOrigin } from "../run-db/store";
import { moveToFallback } from "./ai-watchdog";
import { alarmClock } from "./alarm-clock";
import { createRun } from "./begin";
import { commitTransition, repairEffects } from "./commit";
import { type ChildEnd, childEnded, drive, perform, type Steps } from "./drive";
import { scheduleAlarm } from "./effects";
import { alarmSpan, type EntryOf, entrySpan } from "./entry-span";
import { findRun, runOf } from "./find-run";
import { directTo, IndexSync, withTimeout } from "./index-sync";
import { writeThroughWriter } from "./index-writer";
import { definitionOf } from "./load";
import { type MailToSend, mailFate, mailToSend } from "./mail";
import type { ResumeParams, StartParams } from "./params";
import { aiJobOf, eventsPage, historyOf, linkFactsOf } from "./reads";
import { type Relink, relinkRun } from "./relink";
import { resumeRun } from "./resume";
import { type RpcResult, rpcFail, rpcOk, settled } from "./rpc";
import { answerSnapshot, type RunSnapshot, runSnapshot, storedSnapshot } from "./snapshot";

export type { RunSnapshot } from "./snapshot"; // what callers of the object import

const RUN_ID_KEY = "runId"; // where objects made before the move kept their run id (their alarm finds it)

/**
 * One per run, the only writer of its run, and where the run's record lives (its own SQLite). Every
 * entry that changes the run (start, resume, cancel, AI result, mail outcome, alarm) is queued on a
 * promise chain so its body runs alone even while it awaits queues or fetch; reads answer at once.
 * After each entry the object brings D1's index up to date. Policy is the engine's.
 */
export class RunCoordinator extends DurableObject<Env> {
  private chain: Promise<unknown> = Promise.resolve();
  /** The run's own database (protected: the bench counts the rows a transition writes). */
  protected readonly db: RunDb;
  private readonly index: IndexSync;
  /** What drive.ts needs of the object. */
  private readonly steps: Steps;
  /** What the entry running now last committed (its answer is built from it), else null. */
  private committed: Committed | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = openRunDb(ctx.storage);
    const viaWriter = withTimeout((w) => writeThroughWriter(env, w));
    const landed = () => this.serial(() => this.reschedule());
    this.index = new IndexSync(this.db, viaWriter, directTo(env.DB), landed);
    const log = (runId: string) => this.log(runId);
    const deps = (now: number) => ({ now, newId: (prefix: string) => newId(prefix, now) });
    const commit = (def: Definition, t: Transition, now: number, origin?: RunOrigin) =>
      this.commit(def, t, now, origin);
    const reschedule = (run?: RunState) => this.reschedule(run);
    this.steps = { env, storage: ctx.storage, db: this.db, log, deps, commit, reschedule };
  }

  /** Runs `fn` after every earlier entry of this object has finished (protected: the bench floor uses it). */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** An RPC entry: serialised, its domain errors as data, the index write it owes started, in `at`'s trace. */
  private entry<T>(at: string | EntryOf, fn: () => Promise<T>): Promise<RpcResult<T>> {
    const kick = () => this.index.kick(this.log(typeof at === "string" ? at : at.runId));
    const body = () => {
      this.committed = null; // an answer is built from this entry's own transitions only
      return entrySpan(this.env, this.ctx, at, () => settled(fn, kick));
    };
    return this.serial(body);
  }

  /** A read: the run as stored (imported from D1 first if it predates the move), its errors as data. */
  private async read<T>(runId: string, fn: (run: RunRecord) => T): Promise<RpcResult<T>> {
    try {
      const run = loadRun(this.db, runId) ?? (await this.serial(() => this.runOf(runId)));
      return rpcOk(fn(run));
    } catch (e) {
      return rpcFail(e);
    }
  }

  private log = (runId: string): Logger => createLogger(this.env.LOG_LEVEL, { run_id: runId });
  /**
   * Creates the run and drives it to its first wait, AI step or end. An object that already holds the
   * run (a keyed start's run id comes from its key) answers it instead: the first writer wins.
   */
  start(p: StartParams): Promise<RpcResult<{ run: RunSnapshot; created: boolean }>> {
    return this.entry(p, async () => {
      const existing = runSnapshot(this.db, p.runId);
      if (existing) return { run: existing, created: false };
      await createRun(this.steps, p);
      return { run: this.answer(p.runId), created: true };
    });
  }

  /** The run a keyed start would replay, if this object holds one. */
  async existing(runId: string): Promise<RunSnapshot | null> {
    return runSnapshot(this.db, runId);
  }

  /** Applies a person's answer to the run's current wait, exactly once. */
  resume(p: ResumeParams): Promise<RpcResult<RunSnapshot>> {
    return this.entry(p, async () => {
      await resumeRun(this.steps, this.db, p);
      return this.answer(p.runId);
    });
  }

  /** Resends or reassigns the links of the run's open wait (the waits API). */
  relink(runId: string, r: Relink): Promise<RpcResult<RunSnapshot>> {
    return this.entry(runId, async () => relinkRun(this.steps, this.db, await this.runOf(runId), r));
  }

  /** Cancels a waiting or running run; its links stop working. */
  cancel(runId: string, by: string, trace?: string): Promise<RpcResult<RunSnapshot>> {
    return this.entry({ runId, trace }, async () => {
      const state = await this.runOf(runId);
      if (TERMINAL.has(state.status)) throw new AppError("conflict", `The run is already ${state.status}`);
      const def = await definitionOf(this.env.DB, state);
      const now = Date.now();
      const t = cancelRun(state, this.steps.deps(now), by);
      await this.commit(def, t, now);
      await this.reschedule();
      this.log(runId).info("run cancelled", { by });
      return this.answer(runId);
    });
  }

  /** Applies an AI step's result once; a stale or duplicate delivery changes nothing. */
  aiResult(runId: string, attemptId: string, result: AiStepResult, trace?: string) {
    return this.entry({ runId, trace }, async () => {
      const state = await this.runOf(runId);
      const lane = laneOfAttempt(state, attemptId);
      if (!lane || !acceptsAiResult(state, attemptId)) return { applied: false };
      const def = await definitionOf(this.env.DB, state);
      const now = Date.now();
      const deps = this.steps.deps(now);
      const t = inLane(def, state, lane, deps, (view) => applyAiResult(def, view, result, deps));
      await this.commit(def, t, now);
      const stepId = laneView(state, lane).pending?.stepId;
      this.log(runId).info("ai result applied", { step_id: stepId, status: result.status });
      await drive(this.steps, def, t.run);
      return { applied: true };
    });
  }

  /** Remembers that the attempt's job moved to fallback `tier` (the watchdog re-sends it there); false when stale. */
  aiFallback(runId: string, attemptId: string, tier: number): Promise<RpcResult<{ applied: boolean }>> {
    const move = async () => moveToFallback(this.ctx.storage, await this.runOf(runId), attemptId, tier);
    return this.entry(runId, async () => ({ applied: await move() }));
  }

  /** A child run ended: the `workflow` step waiting for it completes or fails; anything else is ignored. */
  childEnded(runId: string, end: ChildEnd): Promise<RpcResult<{ applied: boolean }>> {
    return this.entry(runId, async () => childEnded(this.steps, await this.runOf(runId), end));
  }

  /** The run's status body facts. */
  status(runId: string): Promise<RpcResult<RunSnapshot>> {
    return this.read(runId, () => this.snapshot(runId));
  }

  /** The run's step history. */
  history(runId: string) {
    return this.read(runId, () => historyOf(this.db, runId));
  }

  /** The run's events after event id `afterId`. */
  events(runId: string, limit: number, afterId: number) {
    return this.read(runId, () => eventsPage(this.db, runId, limit, afterId));
  }

  /** What a link page needs to know of its token and wait. */
  linkFacts(runId: string, jti: string, waitId: string) {
    return this.read(runId, (run) => linkFactsOf(this.db, run, jti, waitId));
  }

  /** The workflow an AI job runs for, while the run still waits for that attempt (else null). */
  aiJob(runId: string, attemptId: string) {
    return this.read(runId, (run) => aiJobOf(run, attemptId));
  }

  /** The email the mail consumer should send now, or null (a duplicate, or dropped: its wait is over). */
  mailToSend(runId: string, outboxId: string): Promise<RpcResult<MailToSend | null>> {
    return this.entry(runId, async () => mailToSend(this.env, this.db, await this.runOf(runId), outboxId));
  }

  /** Records what became of an email the consumer tried to send. */
  mailOutcome(runId: string, outboxId: string, fate: MailFate): Promise<RpcResult<null>> {
    return this.entry(runId, async () =>
      mailFate(this.env, this.db, (await this.runOf(runId)).id, outboxId, fate),
    );
  }

  /** Resolves once the index write this object owes is no longer in flight (tests and the bench). */
  async settleIndex(): Promise<void> {
    await this.index.settled();
    await this.serial(async () => undefined);
  }

  /** Timeouts, reminders, index retries, and repair after a crash between a transition and its effects. */
  override async alarm(): Promise<void> {
    alarmClock(this.ctx.storage).forget(); // the platform cleared the alarm that fired
    await this.serial(async () => {
      const runId = onlyRun(this.db)?.id ?? (await this.ctx.storage.get<string>(RUN_ID_KEY));
      if (!runId) return;
      const state = await findRun(this.env, this.db, runId, this.log(runId));
      if (!state) return;
      const log = this.log(runId);
      await this.index.writeOnce(log, true);
      const def = await definitionOf(this.env.DB, state);
      // A failing send is kept for a later alarm: it never keeps this one from its timeout or reminder.
      const { repaired, abandoned } = await repairEffects(this.env, this.ctx.storage, state, log);
      const now = Date.now();
      const action = decideAlarm(state, def, now, repaired, abandoned);
      await alarmSpan(this.env, this.ctx, () => perform(this.steps, action, def, state, now));
      await this.reschedule();
      this.index.kick(log);
    });
  }

  private snapshot = (runId: string): RunSnapshot => storedSnapshot(this.db, runId);
  /** An entry's answer: the run as the entry left it. */
  private answer = (runId: string): RunSnapshot => answerSnapshot(this.db, runId, this.committed);
  private runOf = (runId: string): Promise<RunRecord> => runOf(this.env, this.db, runId, this.log(runId));

  /** Sets the alarm to the run's next deadline (`run`: as just committed, else read), the index write it owes included. */
  private async reschedule(run: RunState | null = onlyRun(this.db)): Promise<void> {
    if (run) await scheduleAlarm(this.ctx.storage, run, this.index.deadline(Date.now()));
  }

  /** Writes the transition as one storage transaction, then performs its effects (see commit.ts). */
  private async commit(def: Definition, t: Transition, now: number, origin?: RunOrigin): Promise<void> {
    const p = { def, t, now, origin };
    this.committed = await commitTransition(this.env, this.ctx.storage, this.db, this.log(t.run.id), p);
    this.index.remember(this.committed?.owed ?? null);
  }
}
