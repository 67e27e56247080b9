import { getRun, getTokenState, type RunRecord } from "../db/run-queries";
import { type Recorded, readRecorded } from "../db/tokens";
import { loadDefinition } from "../definitions/cache";
import type { ApprovalStep, Definition, FormStep } from "../definitions/types";
import { openWait, tokenMatches } from "../engine/link-check";
import { AppError } from "../lib/errors";
import type { ResumeClaims } from "../tokens";

/**
 * Where a verified link stands, read from D1 only (GET/HEAD must never change anything):
 * - `open`: the run waits on this link's wait and the token is unused: show the page;
 * - `used`: this token's submission was accepted; `recorded` is what it recorded;
 * - `cancelled`: the run was cancelled;
 * - `closed`: the wait ended another way (another recipient answered, a timeout, the run moved on
 *   or ended); `answered` says whether someone else or the timeout answered it. What they recorded
 *   is never carried: a recipient's page shows only their own answer.
 */
export type LinkState =
  | { kind: "open"; run: RunRecord; def: Definition; step: FormStep | ApprovalStep }
  | { kind: "used"; run: RunRecord; def: Definition; step: FormStep | ApprovalStep; recorded?: Recorded }
  | { kind: "cancelled"; run: RunRecord; def: Definition }
  | { kind: "closed"; run: RunRecord; def: Definition; step: FormStep | ApprovalStep; answered?: Answered };

/** Who answered a wait this link did not: another recipient (or the API), or the step's timeout. */
export type Answered = "someone" | "timeout";

const answeredBy = (recorded: Recorded | undefined): Answered | undefined => {
  if (recorded === undefined) return undefined;
  const output = recorded.output as { timed_out?: unknown } | null;
  return output?.timed_out === true ? "timeout" : "someone";
};

const invalid = (): AppError => new AppError("unauthorized", "This link is not valid");

/** Reads the run, the token row and the wait a verified link belongs to; throws "unauthorized" for unknown ones. */
export async function readLinkState(db: D1Database, claims: ResumeClaims): Promise<LinkState> {
  const token = await getTokenState(db, claims.jti);
  // A genuine signature over a token the database does not know (or knows for another run): refuse.
  if (!tokenMatches(token, claims)) throw invalid();
  let run: RunRecord;
  try {
    run = await getRun(db, claims.runId);
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") throw invalid();
    throw e;
  }
  const def = await loadDefinition(db, run.workflowId, run.workflowVersion);
  if (!def) throw invalid();
  const step = def.steps.find((s) => s.id === claims.stepId);
  if (step?.type !== "form" && step?.type !== "approval") throw invalid();

  if (token.usedAt !== null) {
    return { kind: "used", run, def, step, recorded: await readRecorded(db, run.id, claims.waitId) };
  }
  if (run.status === "cancelled") return { kind: "cancelled", run, def };
  if (openWait(run, token, claims)) return { kind: "open", run, def, step };
  const answered = answeredBy(await readRecorded(db, run.id, claims.waitId));
  return { kind: "closed", run, def, step, ...(answered ? { answered } : {}) };
}
