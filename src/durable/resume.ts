import { decideWait, decisionTarget } from "../engine/decide";
import { focusWait } from "../engine/lanes";
import { inLane } from "../engine/parallel";
import { checkResumeData } from "../engine/resume-check";
import type { RunState } from "../engine/state";
import { AppError } from "../lib/errors";
import type { RunDb } from "../run-db/client";
import { getTokenState } from "../run-db/tokens";
import { drive, type Steps } from "./drive";
import { findRun } from "./find-run";
import { definitionOf } from "./load";
import type { ResumeParams } from "./params";

/**
 * A person's answer to the run's current wait (a link's post, or the API with its token): the engine
 * decides whether it counts (token, wait, forbid, a decision already made, the data), then it is
 * committed and the run driven on. Throws AppError for every refusal; the run stays as it was.
 */
export async function resumeRun(o: Steps, db: RunDb, p: ResumeParams): Promise<void> {
  const { claims } = p;
  const log = o.log(p.runId);
  const state = await findRun(o.env, db, p.runId, log);
  const token = getTokenState(db, claims.jti);
  // The run as the branch holding this link's wait sees it (the run itself without parallel steps).
  const loaded = state && { run: focusWait(state, claims.waitId), def: await definitionOf(o.env.DB, state) };
  const target = { runId: p.runId, waitId: claims.waitId, stepId: claims.stepId };
  const approver = claims.recipient ?? `api:${p.principal}`; // the API's own link: api:<principal>
  const { run, def, wait, step } = decisionTarget(loaded, token, target, approver);
  const now = Date.now();
  const check = checkResumeData(step, p.data, { approver, now }, { def, wait });
  if (!check.ok && check.conflict) throw new AppError("conflict", check.conflict);
  if (!check.ok) throw new AppError("validation_failed", "The submitted data is invalid", check.details);
  const deps = o.deps(now);
  const lane = run.lane ?? [];
  const t = inLane(def, state as RunState, lane, deps, (view) =>
    decideWait(def, view, check.resolution, claims, deps),
  );
  await o.commit(def, t, now);
  // At debug: every resume comes in a request (the API's or a link page's), whose log line names the run.
  log.debug("run resumed", { step_id: wait.stepId });
  await drive(o, def, t.run);
}
