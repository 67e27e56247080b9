// Resume tokens read outside a transition: what a resume and a link page check, what a reminder
// re-sends, what a status body signs and what a used link shows. Tokens are minted, used and revoked
// in their transition (store.ts).
import { and, desc, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import type { RunDb } from "./client";
import type { TokenState } from "./run-model";

export type { TokenState };

import { events, resumeTokens, runSteps } from "./schema";

/** A wait's tokens that still work: neither used nor revoked (the one rule every token read and revoke shares). */
export const workingTokens = (runId: string, waitId: string | SQL) =>
  and(
    eq(resumeTokens.runId, runId),
    eq(resumeTokens.waitId, waitId),
    isNull(resumeTokens.usedAt),
    isNull(resumeTokens.revokedAt),
  );

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
  const row = db
    .select({
      waitId: resumeTokens.waitId,
      jti: resumeTokens.jti,
      expiresAt: resumeTokens.expiresAt,
      createdAt: resumeTokens.createdAt,
    })
    .from(resumeTokens)
    .where(and(workingTokens(runId, waitId), isNull(resumeTokens.recipient)))
    .get();
  return row ?? null;
}

/** A resume token's state, or null when the run does not know it. */
export function getTokenState(db: RunDb, jti: string): TokenState | null {
  const row = db
    .select({
      runId: resumeTokens.runId,
      stepId: resumeTokens.stepId,
      waitId: resumeTokens.waitId,
      usedAt: resumeTokens.usedAt,
      revokedAt: resumeTokens.revokedAt,
    })
    .from(resumeTokens)
    .where(eq(resumeTokens.jti, jti))
    .get();
  return row ?? null;
}

/** The recipients' tokens of a wait that still work (a reminder re-sends their links). */
export function openRecipientTokens(
  db: RunDb,
  runId: string,
  waitId: string,
): { jti: string; recipient: string; expiresAt: number }[] {
  const rows = db
    .select({ jti: resumeTokens.jti, recipient: resumeTokens.recipient, expiresAt: resumeTokens.expiresAt })
    .from(resumeTokens)
    .where(and(workingTokens(runId, waitId), isNotNull(resumeTokens.recipient)))
    .all();
  return rows.flatMap((r) => (r.recipient === null ? [] : [{ ...r, recipient: r.recipient }]));
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
