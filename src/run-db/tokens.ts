// Resume tokens read outside a transition: what a resume and a link page check, what a reminder
// re-sends, what a status body signs and what a used link shows. Tokens are minted, used and revoked
// in their transition (store.ts).
import { and, desc, eq, sql } from "drizzle-orm";
import type { RunDb } from "./client";
import type { TokenState } from "./run-model";
import { events, resumeTokens, runSteps } from "./schema";
import { all, one, selectList } from "./sql";

export type { TokenState };

/**
 * A wait's tokens that still work: neither used nor revoked (the one rule every token read and revoke
 * shares), as a condition binding the run id and then the wait id.
 */
export const WORKING_TOKENS = "run_id = ? AND wait_id = ? AND used_at IS NULL AND revoked_at IS NULL";

const API_TOKEN = `SELECT ${selectList(resumeTokens, ["waitId", "jti", "expiresAt", "createdAt"])}
  FROM resume_tokens WHERE ${WORKING_TOKENS} AND recipient IS NULL`;
const TOKEN_STATE = `SELECT ${selectList(resumeTokens, ["runId", "stepId", "waitId", "usedAt", "revokedAt"])}
  FROM resume_tokens WHERE jti = ?`;
const RECIPIENT_TOKENS = `SELECT ${selectList(resumeTokens, ["jti", "recipient", "expiresAt"])}
  FROM resume_tokens WHERE ${WORKING_TOKENS} AND recipient IS NOT NULL`;

/** The API's (recipient-less) token of a run's current wait: what its status body signs. */
export interface ApiToken {
  waitId: string;
  jti: string;
  expiresAt: number;
  createdAt: number;
}

/** What a used link shows: the answer recorded for its wait. */
export interface Recorded {
  output: unknown;
  finishedAt: number | null;
}

/** The API's token for a wait while it still works: the one minted without a recipient. */
export function apiTokenFor(db: RunDb, runId: string, waitId: string): ApiToken | null {
  return one<ApiToken>(db, API_TOKEN, runId, waitId);
}

/** A resume token's state, or null when the run does not know it. */
export function getTokenState(db: RunDb, jti: string): TokenState | null {
  return one<TokenState>(db, TOKEN_STATE, jti);
}

/** The recipients' tokens of a wait that still work (a reminder re-sends their links). */
export function openRecipientTokens(
  db: RunDb,
  runId: string,
  waitId: string,
): { jti: string; recipient: string; expiresAt: number }[] {
  return all<{ jti: string; recipient: string; expiresAt: number }>(db, RECIPIENT_TOKENS, runId, waitId);
}

/** The answer recorded for a wait (the completed attempt of its step), if any. */
export function readRecorded(db: RunDb, runId: string, waitId: string): Recorded | undefined {
  const row = db
    .select({ output: runSteps.output, finishedAt: runSteps.finishedAt })
    .from(events)
    .innerJoin(runSteps, eq(runSteps.id, events.attemptId))
    .where(
      and(
        eq(events.runId, runId),
        eq(events.type, "run.waiting"),
        eq(sql`json_extract(${events.data}, '$.wait_id')`, waitId),
        eq(runSteps.status, "completed"),
      ),
    )
    .orderBy(desc(events.id))
    .limit(1)
    .get();
  if (!row || row.output === null) return undefined;
  return { output: JSON.parse(row.output), finishedAt: row.finishedAt };
}
