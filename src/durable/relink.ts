import { laneOfWait } from "../engine/lanes";
import { inLane } from "../engine/parallel";
import type { RunState } from "../engine/state";
import { type Relink, relinkWait } from "../engine/wait-links";
import { AppError } from "../lib/errors";
import type { RunDb } from "../run-db/client";
import type { Steps } from "./drive";
import { definitionOf } from "./load";
import { type RunSnapshot, runSnapshot } from "./snapshot";

export type { Relink };

/** Resends or reassigns the links of the run's open wait: one transition, its emails, the alarm kept. */
export async function relinkRun(o: Steps, db: RunDb, state: RunState, r: Relink): Promise<RunSnapshot> {
  const def = await definitionOf(o.env.DB, state);
  const now = Date.now();
  const deps = o.deps(now);
  const lane = laneOfWait(state, r.waitId) ?? [];
  const t = inLane(def, state, lane, deps, (view) => relinkWait(view, r, deps));
  await o.commit(def, t, now);
  await o.reschedule();
  o.log(state.id).info(`wait ${r.kind}`, { wait_id: r.waitId, by: r.by });
  const snapshot = runSnapshot(db, state.id);
  if (!snapshot) throw new AppError("not_found", `Run '${state.id}' not found`);
  return snapshot;
}
