import { listRuns } from "../db/run-index";
import { runStub } from "../durable/address";
import { unwrapRun } from "../durable/rpc";
import type { HumanWait } from "../engine/state";

/** How many open waits the inbox shows (the oldest runs beyond it are reached through the runs page). */
export const WAITS_LIMIT = 50;

/** An open human wait as the inbox lists it. */
export interface OpenWait {
  runId: string;
  workflowId: string;
  stepId: string;
  type: HumanWait["type"];
  recipients: string[];
  startedAt: number;
  expiresAt: number;
  reminders: number;
}

/**
 * The open waits: the index's waiting runs, each asked of its object for who was asked and since when.
 * Stand-in until the waits index of `GET /v1/waits` lands: then read that instead (one query, and
 * resend and reassign beside it).
 */
export async function openWaits(env: Env): Promise<OpenWait[]> {
  const runs = (await listRuns(env.DB, { limit: WAITS_LIMIT, status: "waiting" })).slice(0, WAITS_LIMIT);
  const snapshots = await Promise.all(runs.map((r) => runStub(env, r.id).status(r.id).then(unwrapRun)));
  const waits: OpenWait[] = [];
  for (const { record } of snapshots) {
    const p = record.pending;
    if (record.status !== "waiting" || p?.kind !== "human") continue;
    waits.push({
      runId: record.id,
      workflowId: record.workflowId,
      stepId: p.stepId,
      type: p.type,
      recipients: p.recipients,
      startedAt: p.startedAt,
      expiresAt: p.expiresAt,
      reminders: p.reminders,
    });
  }
  return waits.sort((a, b) => a.startedAt - b.startedAt);
}
