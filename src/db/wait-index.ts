// The waits inbox in D1: one row per human wait, written with the run's summary in one batch (see
// src/durable/index-sync.ts) and read by GET /v1/waits. Writes are ordered by the run's version, and a
// wait's statements apply only while their batch's summary is the run's newest one in D1.
import { and, desc, eq, lt, notInArray, or, type SQL, sql } from "drizzle-orm";
import type { WaitItem } from "../engine/wait-view";
import { type Db, getDb } from "./client";
import { type RunSummaryRow, summaryUpsert } from "./run-index";
import { runIndex } from "./schema";
import { type WaitRow, waitRecipients, waits } from "./schema-waits";

/** The run a batch of wait statements belongs to: its summary's key, version and time. */
type Run = Pick<RunSummaryRow, "id" | "createdAt" | "version" | "updatedAt">;

/** A wait as the run's object hands it to the index, with the run version it was seen at. */
export type WaitIndexWrite = WaitItem & { version: number };

const excluded = (column: string) => sql.raw(`excluded.${column}`);

/**
 * The status as a literal, not a bound value: SQLite uses a partial index (`WHERE status = 'open'`)
 * only for a query whose own term it can see implies the index's.
 */
const STATUS_IS = {
  open: sql`${waits.status} = 'open'`,
  closed: sql`${waits.status} = 'closed'`,
} as const;

/** True while the batch's summary (at `version`) is the run's newest in D1: a stale batch writes no wait. */
const newest = (run: Run): SQL =>
  sql`exists (select 1 from ${runIndex} where ${runIndex.createdAt} = ${run.createdAt} and ${runIndex.id} = ${run.id} and ${runIndex.version} = ${run.version})`;

/** A changed row only: rewriting an unchanged wait would write its row and its index entries again. */
const changed = sql.raw(
  ["status", "recipients", "expires_at", "closed_at"]
    .map((c) => `waits.${c} is not excluded.${c}`)
    .join(" or "),
);

/** The upsert of one wait, over an older and different row only. */
function waitUpsert(db: Db, run: Run, w: WaitIndexWrite) {
  // The columns in the table's order (drizzle lists them so for an INSERT … SELECT).
  const row = sql.join(
    [
      ...[w.waitId, w.runId, w.workflowId, w.stepId, w.type, w.status, JSON.stringify(w.recipients)],
      ...[w.createdAt, w.expiresAt, w.closedAt, w.version],
    ].map((v) => sql`${v}`),
    sql`, `,
  );
  return db
    .insert(waits)
    .select(sql`select ${row} where ${newest(run)}`)
    .onConflictDoUpdate({
      target: [waits.createdAt, waits.waitId],
      set: {
        status: excluded("status"),
        recipients: excluded("recipients"),
        expiresAt: excluded("expires_at"),
        closedAt: excluded("closed_at"),
        version: excluded("version"),
      },
      setWhere: sql`${waits.version} < excluded.version and (${changed})`,
    });
}

/**
 * The statements that bring a run's waits up to `version`: each wait given applies only over an older
 * row (its recipients follow it), and every other wait of the run still open is closed, so a run that
 * moved on, was cancelled or ended never keeps an open wait in the inbox.
 */
export function waitIndexStatements(db: Db, run: Run, rows: readonly WaitIndexWrite[]) {
  const statements = [];
  for (const w of rows) {
    statements.push(waitUpsert(db, run, w));
    // Everyone the wait was ever sent to (resend and reassign add addresses, nobody is removed: the
    // inbox's `recipient` filter matches them all). Insert-only: an address already there writes no
    // row. One statement for all of them (json_each), within D1's limit of bound parameters.
    const emails = JSON.stringify(w.recipients.map((r) => r.email));
    statements.push(
      db
        .insert(waitRecipients)
        .select(sql`select value, ${w.createdAt}, ${w.waitId} from json_each(${emails}) where ${newest(run)}`)
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
          STATUS_IS.open,
          lt(waits.version, run.version),
          openIds.length > 0 ? notInArray(waits.waitId, openIds) : undefined,
          newest(run),
        ),
      ),
  );
  return statements;
}

/**
 * Writes a run's summary and its waits as one batch (what the run's object owes the index); the rows
 * D1 says it wrote (index entries included: what D1 bills).
 */
export async function writeRunIndex(
  d1: D1Database,
  summary: RunSummaryRow,
  rows: readonly WaitIndexWrite[],
): Promise<number> {
  const db = getDb(d1);
  const results = await db.batch([summaryUpsert(db, summary), ...waitIndexStatements(db, summary, rows)]);
  return results.reduce((n, r) => n + ((r as Partial<D1Result>).meta?.rows_written ?? 0), 0);
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
  const after = q.after;
  // The addressed waits by their recipient row's key, which is the waits' own.
  const addressed = q.recipient
    ? sql`(${waits.createdAt}, ${waits.waitId}) in (select ${waitRecipients.createdAt}, ${waitRecipients.waitId} from ${waitRecipients} where ${waitRecipients.email} = ${q.recipient.toLowerCase()})`
    : undefined;
  const rows = await getDb(d1)
    .select()
    .from(waits)
    .where(
      and(
        q.status ? STATUS_IS[q.status] : undefined,
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
