/**
 * Child runs of `workflow` steps (docs/workflows.md): starting one, keyed by the parent's step execution,
 * asking one where it stands, telling a parent its child ended (never awaited inside an object's chain,
 * so two objects never wait on each other), cancelling a cancelled parent's child. drive.ts applies a
 * child's end to its parent.
 */
import type { ChildEnd } from "../engine/child-run";
import { type RunState, TERMINAL, type Transition } from "../engine/state";
import type { ChildStartRequest } from "../executors/types";
import { AppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { RunDb } from "../run-db/client";
import { markParentNotified, parentOf } from "../run-db/parent";
import { loadRun } from "../run-db/runs";
import { startRun } from "../runs/start";
import { runStub } from "./address";
import { type RpcResult, unwrap, unwrapRun } from "./rpc";
import type { RunSnapshot } from "./snapshot";

/** Children nest at most this deep: a cycle the save-time rules cannot see still stops. */
export const MAX_CHILD_DEPTH = 5;
/** While a parent waits for a child, its alarm asks the child this often (in case a notice was lost). */
export const CHILD_CHECK_MS = 5 * 60_000;

/** The principal a child run is created by; `:` never appears in an API key's name. */
export const childPrincipal = (parentRunId: string): string => `run:${parentRunId}`;

const endOf = (snapshot: RunSnapshot): ChildEnd => ({
  runId: snapshot.record.id,
  status: snapshot.record.status,
  runtime: snapshot.record.context.runtime,
  error: snapshot.record.error,
});

/** Starts the child of `parent`'s step execution `seq` (or finds it: the start is keyed) and answers where it stands. */
export async function startChildRun(
  env: Env,
  db: RunDb,
  parent: RunState,
  request: ChildStartRequest,
): Promise<ChildEnd> {
  const depth = (parentOf(db, parent.id)?.depth ?? 0) + 1;
  if (depth > MAX_CHILD_DEPTH) {
    throw new AppError(
      "validation_failed",
      `sub-workflows nest at most ${MAX_CHILD_DEPTH} deep; this run is already ${depth - 1} deep (a cycle of workflows?)`,
    );
  }
  const { run } = await startRun(
    env,
    childPrincipal(parent.id),
    {
      workflow_id: request.workflowId,
      ...(request.version === undefined ? {} : { version: request.version }),
      inputs: request.inputs,
      profile: parent.context.profile,
    },
    `step-${request.seq}`,
    { parentRunId: parent.id, depth },
  );
  return endOf(run);
}

/** Where a child stands now, as its object answers. */
export async function childStanding(env: Env, childRunId: string): Promise<ChildEnd> {
  return endOf(unwrapRun(await runStub(env, childRunId).status(childRunId)));
}

/**
 * Tells the parent, once it accepts, that this run ended. Never awaited inside the object's chain: the
 * parent may be the caller of the very entry that ended this run (a cancel that cascades). Sent after
 * the transaction that ends the run (commit.ts).
 */
export async function notifyParent(env: Env, db: RunDb, runId: string, log: Logger): Promise<void> {
  const link = parentOf(db, runId);
  const run = link && link.notifiedAt === null ? loadRun(db, runId) : null;
  if (!link || !run || !TERMINAL.has(run.status)) return;
  const end: ChildEnd = { runId, status: run.status, runtime: run.context.runtime, error: run.error };
  try {
    const answer = await runStub(env, link.parentRunId).childEnded(link.parentRunId, end);
    unwrap(answer as unknown as RpcResult<{ applied: boolean }>);
    markParentNotified(db, runId, Date.now());
  } catch (e) {
    // The parent's alarm asks this run where it stands (CHILD_CHECK_MS): a lost notice only delays it.
    log.warn("parent not told of the child's end", { parent_run_id: link.parentRunId, error: String(e) });
  }
}

/**
 * Cancels the child runs the transition stopped waiting for (the run was cancelled or failed, or a
 * parallel step's join no longer needs their branch); a child that already ended is left as it is.
 */
export async function cancelChildOf(env: Env, t: Transition, log: Logger): Promise<void> {
  if (t.cancelChildren.length === 0) return;
  const cancelled = t.events.find((e) => e.type === "run.cancelled");
  // A branch's child cancelled by its parallel step's join, or by the run's failure: by the parent run.
  const by = String(cancelled?.data?.by ?? `run:${t.run.id}`);
  for (const childRunId of t.cancelChildren) {
    try {
      const answer = await runStub(env, childRunId).cancel(childRunId, by);
      const result = answer as unknown as RpcResult<unknown>;
      if (!result.ok && result.error.code !== "conflict") unwrap(result);
    } catch (e) {
      log.error("child run not cancelled", { child_run_id: childRunId, error: String(e) });
    }
  }
}
