// The waits inbox in D1: one row per human wait, written with the run's summary in one batch (see
// src/durable/index-sync.ts) and read by GET /v1/waits. Writes are ordered by the run's version.
import { and, desc, eq, inArray, lt, notInArray, or, sql } from "drizzle-orm";
import type { WaitItem } from "../engine/wait-view";
import { type Db, getDb } from "./client";
import { type RunSummaryRow, summaryUpsert } from "./run-index";
import { type WaitRow, waitRecipients, waits } from "./schema-waits";

/** A wait as the run's object hands it to the index, with the run version it was seen at. */
export type WaitIndexWrite = WaitItem & { version: number };

const excluded = (column: string) => sql.raw(`excluded.${column}`);

/**
 * The statements that bring a run's waits up to `version`: each wait given applies only over an older
 * row (its recipients follow it), and every other wait of the run still open is closed, so a run that
 * moved on, was cancelled or ended never keeps an open wait in the inbox.
 */
export function waitIndexStatements(
  db: Db,
  run: { id: string; version: number; updatedAt: number },
  rows: readonly WaitIndexWrite[],
) {
  const statements = [];
  for (const w of rows) {
    const values = {
      ...{ waitId: w.waitId, runId: w.runId, workflowId: w.workflowId, stepId: w.stepId, type: w.type },
      ...{ status: w.status, recipients: JSON.stringify(w.recipients), createdAt: w.createdAt },
      ...{ expiresAt: w.expiresAt, closedAt: w.closedAt, version: w.version },
    };
    statements.push(
      db
        .insert(waits)
        .values(values)
        .onConflictDoUpdate({
          target: waits.waitId,
          set: {
            status: excluded("status"),
            recipients: excluded("recipients"),
            expiresAt: excluded("expires_at"),
            closedAt: excluded("closed_at"),
            version: excluded("version"),
          },
          setWhere: sql`${waits.version} < excluded.version`,
        }),
    );
    // The recipients as the row now stands: rewritten only when the row is at this write's version.
    const current = sql`exists (select 1 from ${waits} where ${waits.waitId} = ${w.waitId} and ${waits.version} = ${w.version})`;
    statements.push(db.delete(waitRecipients).where(and(eq(waitRecipients.waitId, w.waitId), current)));
    // One statement for all of them (json_each), within D1's limit of bound parameters.
    const emails = JSON.stringify(w.recipients.map((r) => r.email));
    statements.push(
      db
        .insert(waitRecipients)
        .select(sql`select ${w.waitId} as wait_id, value as email from json_each(${emails}) where ${current}`)
        .onConflictDoNothing(),
    );
  }
  const openIds = rows.filter((w) => w.status === "open").map((w) => w.waitId);
  statements.push(
    db
      .update(waits)
      .set({ status: "closed", closedAt: run.updatedAt, version: run.version })
      .where(
        and(
          eq(waits.runId, run.id),
          eq(waits.status, "open"),
          lt(waits.version, run.version),
          openIds.length > 0 ? notInArray(waits.waitId, openIds) : undefined,
        ),
      ),
  );
  return statements;
}

/** Writes a run's summary and its waits as one batch (what the run's object owes the index). */
export async function writeRunIndex(
  d1: D1Database,
  summary: RunSummaryRow,
  rows: readonly WaitIndexWrite[],
): Promise<void> {
  const db = getDb(d1);
  await db.batch([summaryUpsert(db, summary), ...waitIndexStatements(db, summary, rows)]);
}

const toItem = (r: WaitRow): WaitItem => ({
  runId: r.runId,
  workflowId: r.workflowId,
  stepId: r.stepId,
  type: r.type,
  waitId: r.waitId,
  status: r.status,
  recipients: JSON.parse(r.recipients) as WaitItem["recipients"],
  createdAt: r.createdAt,
  expiresAt: r.expiresAt,
  closedAt: r.closedAt,
});

/** Waits newest first, filtered, after the (created_at, wait_id) of the previous page's last item. */
export async function listWaits(
  d1: D1Database,
  q: {
    limit: number;
    status?: "open" | "closed";
    workflowId?: string;
    recipient?: string;
    after?: { t: number; id: string };
  },
): Promise<WaitItem[]> {
  const db = getDb(d1);
  const after = q.after;
  const addressed = q.recipient
    ? inArray(
        waits.waitId,
        db
          .select({ id: waitRecipients.waitId })
          .from(waitRecipients)
          .where(eq(waitRecipients.email, q.recipient.toLowerCase())),
      )
    : undefined;
  const rows = await db
    .select()
    .from(waits)
    .where(
      and(
        q.status ? eq(waits.status, q.status) : undefined,
        q.workflowId ? eq(waits.workflowId, q.workflowId) : undefined,
        addressed,
        after
          ? or(lt(waits.createdAt, after.t), and(eq(waits.createdAt, after.t), lt(waits.waitId, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(waits.createdAt), desc(waits.waitId))
    .limit(q.limit + 1)
    .all();
  return rows.map(toItem);
}
