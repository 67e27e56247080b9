// Resume tokens read outside a transition: what a link page checks, what a reminder re-sends, and
// what a used link shows. Tokens are minted, used and revoked in their transition's batch
// (src/db/run-store.ts).

/** A token's row as a link page checks it. */
export interface LinkTokenRow {
  run_id: string;
  step_id: string;
  wait_id: string;
  used_at: number | null;
  revoked_at: number | null;
}

/** What a used link shows: the answer recorded for its wait. */
export interface Recorded {
  output: unknown;
  finishedAt: number | null;
}

/** The token row of a link, or null. */
export const getLinkToken = (db: D1Database, jti: string) =>
  db
    .prepare("SELECT run_id, step_id, wait_id, used_at, revoked_at FROM resume_tokens WHERE jti = ?")
    .bind(jti)
    .first<LinkTokenRow>();

/** The recipients' tokens of a wait that still work (a reminder re-sends their links). */
export async function openRecipientTokens(
  db: D1Database,
  runId: string,
  waitId: string,
): Promise<{ jti: string; recipient: string; expiresAt: number }[]> {
  const rows = await db
    .prepare(
      "SELECT jti, recipient, expires_at FROM resume_tokens WHERE run_id = ? AND wait_id = ? AND recipient IS NOT NULL AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(runId, waitId)
    .all<{ jti: string; recipient: string; expires_at: number }>();
  return rows.results.map((r) => ({ jti: r.jti, recipient: r.recipient, expiresAt: r.expires_at }));
}

/** The answer recorded for a wait (the completed attempt of its step), if any. */
export async function readRecorded(
  db: D1Database,
  runId: string,
  waitId: string,
): Promise<Recorded | undefined> {
  const row = await db
    .prepare(
      `SELECT s.output, s.finished_at FROM events e JOIN run_steps s ON s.id = e.attempt_id
       WHERE e.run_id = ? AND e.type = 'run.waiting' AND json_extract(e.data, '$.wait_id') = ?
         AND s.status = 'completed'
       ORDER BY e.id DESC LIMIT 1`,
    )
    .bind(runId, waitId)
    .first<{ output: string | null; finished_at: number | null }>();
  if (!row || row.output === null) return undefined;
  return { output: JSON.parse(row.output), finishedAt: row.finished_at };
}
