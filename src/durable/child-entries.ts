/**
 * What a run's object does at its entries for `workflow` steps: accept a child's end, and cancel its
 * child with it. drive.ts starts children and commit.ts tells a parent its child ended (children.ts).
 * No call here is ever awaited by a child while its parent awaits that child, so two objects never
 * wait on each other.
 */
import { acceptsChildEnd, applyChildEnd, type ChildEnd } from "../engine/child-run";
import type { RunState } from "../engine/state";
import type { Logger } from "../lib/logger";
import type { RunRecord } from "../run-db/run-model";
import { runStub } from "./address";
import { drive, type Steps } from "./drive";
import { definitionOf } from "./load";
import { type RpcResult, unwrap } from "./rpc";

export type { ChildEnd };

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

/** Cancels the child a just-cancelled run was waiting for; a child that already ended is left as it is. */
export async function cancelChildOf(env: Env, parent: RunState, by: string, log: Logger): Promise<void> {
  if (parent.pending?.kind !== "child") return;
  const childRunId = parent.pending.childRunId;
  try {
    const answer = await runStub(env, childRunId).cancel(childRunId, by);
    const result = answer as unknown as RpcResult<unknown>;
    if (!result.ok && result.error.code !== "conflict") unwrap(result);
  } catch (e) {
    log.error("child run not cancelled", { child_run_id: childRunId, error: String(e) });
  }
}
