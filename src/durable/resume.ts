import { decideWait, decisionTarget } from "../engine/decide";
import { checkResumeData } from "../engine/resume-check";
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
  const loaded = state && { run: state, def: await definitionOf(o.env.DB, state) };
  const target = { runId: p.runId, waitId: claims.waitId, stepId: claims.stepId };
  const approver = claims.recipient ?? `api:${p.principal}`; // the API's own link: api:<principal>
  const { run, def, wait, step } = decisionTarget(loaded, token, target, approver);
  const now = Date.now();
  const check = checkResumeData(step, p.data, { approver, now }, { def, wait });
  if (!check.ok && check.conflict) throw new AppError("conflict", check.conflict);
  if (!check.ok) throw new AppError("validation_failed", "The submitted data is invalid", check.details);
  const t = decideWait(def, run, check.resolution, claims, o.deps(now));
  await o.commit(def, t, now);
  log.info("run resumed", { step_id: wait.stepId });
  await drive(o, def, t.run);
}
