import { and, desc, eq, isNull, lt, or, type SQL, sql } from "drizzle-orm";

export type { RunRecord, TokenState } from "./run-model";

import type { RunStatus } from "../engine/state";
import { AppError } from "../lib/errors";
import { getDb } from "./client";
import { type RunRecord, type TokenState, toRunRecord } from "./run-model";
import { resumeTokens, runs } from "./schema";
import { workingTokens } from "./token-filters";

/** The API's (recipient-less) token of a run's current wait: what its status body signs. */
export interface ApiToken {
  waitId: string;
  jti: string;
  expiresAt: number;
  createdAt: number;
}

/** A wait's API token: the one minted without a recipient, while it still works. */
const openApiToken = (runId: string, waitId: string | SQL) =>
  and(workingTokens(runId, waitId), isNull(resumeTokens.recipient));

const apiTokenColumns = {
  waitId: resumeTokens.waitId,
  jti: resumeTokens.jti,
  expiresAt: resumeTokens.expiresAt,
  createdAt: resumeTokens.createdAt,
};

const tokenStateColumns = {
  runId: resumeTokens.runId,
  stepId: resumeTokens.stepId,
  waitId: resumeTokens.waitId,
  usedAt: resumeTokens.usedAt,
  revokedAt: resumeTokens.revokedAt,
};

const runById = (d1: D1Database, runId: string) => getDb(d1).select().from(runs).where(eq(runs.id, runId));

/** A run as stored, or null. */
export async function loadRun(d1: D1Database, runId: string): Promise<RunRecord | null> {
  const row = await runById(d1, runId).get();
  return row ? toRunRecord(row) : null;
}

/** A run as stored, or a 404. */
export async function getRun(d1: D1Database, runId: string): Promise<RunRecord> {
  const run = await loadRun(d1, runId);
  if (!run) throw new AppError("not_found", `Run '${runId}' not found`);
  return run;
}

/** A resume token's state, or null when the database does not know it. */
export async function getTokenState(d1: D1Database, jti: string): Promise<TokenState | null> {
  const row = await getDb(d1)
    .select(tokenStateColumns)
    .from(resumeTokens)
    .where(eq(resumeTokens.jti, jti))
    .get();
  return row ?? null;
}

/** A run and one of its tokens in a single round trip (what a resume checks). */
export async function loadRunAndToken(
  d1: D1Database,
  runId: string,
  jti: string,
): Promise<{ state: RunRecord | null; token: TokenState | null }> {
  const db = getDb(d1);
  const [run, token] = await db.batch([
    runById(d1, runId),
    db.select(tokenStateColumns).from(resumeTokens).where(eq(resumeTokens.jti, jti)),
  ]);
  return { state: run[0] ? toRunRecord(run[0]) : null, token: token[0] ?? null };
}

/** A run and the API token of its open wait (if any), in one round trip: what a status read needs. */
export async function getRunWithApiToken(
  d1: D1Database,
  runId: string,
): Promise<{ record: RunRecord; apiToken: ApiToken | null }> {
  const db = getDb(d1);
  const currentWait = db
    .select({ waitId: sql`json_extract(${runs.pending}, '$.waitId')` })
    .from(runs)
    .where(eq(runs.id, runId));
  const [run, token] = await db.batch([
    runById(d1, runId),
    db
      .select(apiTokenColumns)
      .from(resumeTokens)
      .where(openApiToken(runId, sql`${currentWait}`)),
  ]);
  if (!run[0]) throw new AppError("not_found", `Run '${runId}' not found`);
  return { record: toRunRecord(run[0]), apiToken: token[0] ?? null };
}

/** The API's token for a wait: the one minted without a recipient. */
export async function apiTokenFor(d1: D1Database, runId: string, waitId: string): Promise<ApiToken | null> {
  const row = await getDb(d1)
    .select(apiTokenColumns)
    .from(resumeTokens)
    .where(openApiToken(runId, waitId))
    .get();
  return row ?? null;
}

/** The run an earlier start with this principal and Idempotency-Key created, if any. */
export async function findByIdempotencyKey(
  d1: D1Database,
  principal: string,
  key: string,
): Promise<RunRecord | null> {
  const row = await getDb(d1)
    .select()
    .from(runs)
    .where(and(eq(runs.createdBy, principal), eq(runs.idempotencyKey, key)))
    .get();
  return row ? toRunRecord(row) : null;
}

/** Runs newest first, optionally filtered, after the (created_at, id) of the previous page's last item. */
export async function listRuns(
  d1: D1Database,
  q: { limit: number; workflowId?: string; status?: RunStatus; after?: { t: number; id: string } },
): Promise<RunRecord[]> {
  const after = q.after;
  const rows = await getDb(d1)
    .select()
    .from(runs)
    .where(
      and(
        q.workflowId ? eq(runs.workflowId, q.workflowId) : undefined,
        q.status ? eq(runs.status, q.status) : undefined,
        after
          ? or(lt(runs.createdAt, after.t), and(eq(runs.createdAt, after.t), lt(runs.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(q.limit + 1)
    .all();
  return rows.map(toRunRecord);
}
