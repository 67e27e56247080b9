import { readLegacyRun } from "../db/legacy-runs";
import { AppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { RunDb } from "../run-db/client";
import type { RunRecord } from "../run-db/run-model";
import { importLegacyRun, loadRun, onlyRun } from "../run-db/runs";

/**
 * The run, from the object's storage; a run created before its record moved into its object is
 * imported from D1 the first time it is touched (its object's storage is empty then); or null.
 * Call it serialised: an import must happen once.
 */
export async function findRun(env: Env, db: RunDb, runId: string, log: Logger): Promise<RunRecord | null> {
  const stored = loadRun(db, runId);
  if (stored || onlyRun(db)) return stored;
  const legacy = await readLegacyRun(env.DB, runId);
  if (!legacy) return null;
  importLegacyRun(db, legacy);
  log.info("run imported from D1");
  return loadRun(db, runId);
}

/** The run (see findRun), or a 404. */
export async function runOf(env: Env, db: RunDb, runId: string, log: Logger): Promise<RunRecord> {
  const run = await findRun(env, db, runId, log);
  if (!run) throw new AppError("not_found", `Run '${runId}' not found`);
  return run;
}
