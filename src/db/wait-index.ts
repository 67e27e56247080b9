// The waits inbox in D1: one row per human wait, written with the run's summary in one batch (see
// src/durable/index-sync.ts) and read by GET /v1/waits. Writes are ordered by the run's version, and a
// wait's statements apply only while their batch's summary is the run's newest one in D1.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { WaitItem } from "../engine/wait-view";
import { getDb } from "./client";
import { type RunSummaryRow, summaryStatement } from "./run-index";
import { type WaitRow, waitRecipients, waits } from "./schema-waits";
import { columnOf, excludedSet, fieldsOf, once, valuesOf } from "./sql-text";

/** The run a batch of wait statements belongs to: its summary's key, version and time. */
type Run = Pick<RunSummaryRow, "id" | "createdAt" | "version" | "updatedAt">;

/** A wait as the run's object hands it to the index, with the run version it was seen at. */
export type WaitIndexWrite = WaitItem & { version: number };

/** True while the batch's summary (binding created_at, id, version) is the run's newest in D1: a stale batch writes no wait. */
const NEWEST = "exists (select 1 from run_index where created_at = ? and id = ? and version = ?)";
const newestArgs = (run: Run) => [run.createdAt, run.id, run.version];

/** A changed row only: rewriting an unchanged wait would write its row and its index entries again. */
const CHANGED = ["status", "recipients", "expires_at", "closed_at"]
  .map((c) => `waits.${c} is not excluded.${c}`)
  .join(" or ");

const WAIT_FIELDS = fieldsOf(waits);

/** The upsert of one wait, over an older and different row only (constant text: src/db/sql-text.ts). */
const WAIT_UPSERT = `INSERT INTO waits (${WAIT_FIELDS.map((f) => columnOf(waits, f)).join(", ")})
  SELECT ${WAIT_FIELDS.map(() => "?").join(", ")} WHERE ${NEWEST}
  ON CONFLICT (created_at, wait_id) DO UPDATE SET ${excludedSet(waits, ["status", "recipients", "expiresAt", "closedAt", "version"])}
  WHERE waits.version < excluded.version and (${CHANGED})`;

/**
 * Everyone a wait was ever sent to (resend and reassign add addresses, nobody is removed: the inbox's
 * `recipient` filter matches them all). Insert-only: an address already there writes no row. One
 * statement for all of them (json_each), within D1's limit of bound parameters.
 */
const RECIPIENTS_INSERT = `INSERT INTO wait_recipients (email, created_at, wait_id)
  SELECT value, ?, ? FROM json_each(?) WHERE ${NEWEST} ON CONFLICT DO NOTHING`;

/**
 * Closes every other wait of the run still open. The status is a literal, not a bound value: SQLite
 * uses a partial index (`WHERE status = 'open'`) only for a query whose own term it can see implies it.
 */
const closeOthers = (kept: number) =>
  once(`close-waits:${kept}`, () => {
    const notKept =
      kept > 0 ? ` and wait_id not in (${Array.from({ length: kept }, () => "?").join(", ")})` : "";
    return `UPDATE waits SET status = 'closed', closed_at = ?, version = ?
      WHERE run_id = ? and status = 'open' and version < ?${notKept} and ${NEWEST}`;
  });

/**
 * The statements that bring a run's waits up to `version`: each wait given applies only over an older
 * row (its recipients follow it), and every other wait of the run still open is closed, so a run that
 * moved on, was cancelled or ended never keeps an open wait in the inbox.
 */
export function waitIndexStatements(d1: D1Database, run: Run, rows: readonly WaitIndexWrite[]) {
  const statements: D1PreparedStatement[] = [];
  for (const w of rows) {
    const row = { ...w, recipients: JSON.stringify(w.recipients) };
    statements.push(d1.prepare(WAIT_UPSERT).bind(...valuesOf(row, WAIT_FIELDS), ...newestArgs(run)));
    const emails = JSON.stringify(w.recipients.map((r) => r.email));
    statements.push(d1.prepare(RECIPIENTS_INSERT).bind(w.createdAt, w.waitId, emails, ...newestArgs(run)));
  }
  const openIds = rows.filter((w) => w.status === "open").map((w) => w.waitId);
  const close = [run.updatedAt, run.version, run.id, run.version, ...openIds, ...newestArgs(run)];
  statements.push(d1.prepare(closeOthers(openIds.length)).bind(...close));
  return statements;
}

/** What a run's object owes the index: its summary and its waits at the summary's version. */
export interface IndexWrite {
  summary: RunSummaryRow;
  waits: WaitIndexWrite[];
}

/**
 * Writes runs' summaries and their waits as one batch (one transaction: all or none); the rows D1 says
 * it wrote (index entries included: what D1 bills).
 */
export async function writeRunIndexes(d1: D1Database, writes: readonly IndexWrite[]): Promise<number> {
  const statements = writes.flatMap((w) => [
    summaryStatement(d1, w.summary),
    ...waitIndexStatements(d1, w.summary, w.waits),
  ]);
  if (statements.length === 0) return 0;
  const results = await d1.batch(statements);
  return results.reduce((n, r) => n + (r.meta?.rows_written ?? 0), 0);
}

/** Writes one run's summary and its waits as one batch (see writeRunIndexes). */
export function writeRunIndex(
  d1: D1Database,
  summary: RunSummaryRow,
  waits: readonly WaitIndexWrite[],
): Promise<number> {
  return writeRunIndexes(d1, [{ summary, waits: [...waits] }]);
}

/** A status as a literal, so that SQLite can use the partial open-wait index (see closeOthers). */
const STATUS_IS = {
  open: sql`${waits.status} = 'open'`,
  closed: sql`${waits.status} = 'closed'`,
} as const;

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
