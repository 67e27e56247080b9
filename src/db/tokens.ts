// Resume tokens read outside a transition: what a link page checks, what a reminder re-sends, and
// what a used link shows. Tokens are minted, used and revoked in their transition's batch
// (src/db/run-store.ts).
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { getDb } from "./client";
import { events, resumeTokens, runSteps } from "./schema";
import { workingTokens } from "./token-filters";

/** What a used link shows: the answer recorded for its wait. */
export interface Recorded {
  output: unknown;
  finishedAt: number | null;
}

/** The recipients' tokens of a wait that still work (a reminder re-sends their links). */
export async function openRecipientTokens(
  d1: D1Database,
  runId: string,
  waitId: string,
): Promise<{ jti: string; recipient: string; expiresAt: number }[]> {
  const rows = await getDb(d1)
    .select({ jti: resumeTokens.jti, recipient: resumeTokens.recipient, expiresAt: resumeTokens.expiresAt })
    .from(resumeTokens)
    .where(and(workingTokens(runId, waitId), isNotNull(resumeTokens.recipient)))
    .all();
  return rows.flatMap((r) => (r.recipient === null ? [] : [{ ...r, recipient: r.recipient }]));
}

/** The answer recorded for a wait (the completed attempt of its step), if any. */
export async function readRecorded(
  d1: D1Database,
  runId: string,
  waitId: string,
): Promise<Recorded | undefined> {
  const row = await getDb(d1)
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
