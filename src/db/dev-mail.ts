// The development mailbox (DEV_MODE only): the emails runs' outboxes hold, copied here by their
// objects so one page can list them across runs. Production never writes or reads this table.
import { desc, eq, sql } from "drizzle-orm";
import { getDb } from "./client";
import { type DevMailRow, devMail } from "./schema";

export type { DevMailRow };

/** Inserts or updates copies of outbox emails (the latest status wins). */
export async function mirrorDevMail(d1: D1Database, rows: readonly DevMailRow[]): Promise<void> {
  const db = getDb(d1);
  const [first, ...rest] = rows.map((row) =>
    db
      .insert(devMail)
      .values(row)
      .onConflictDoUpdate({
        target: devMail.id,
        set: { status: sql.raw("excluded.status"), lastError: sql.raw("excluded.last_error") },
      }),
  );
  if (first) await db.batch([first, ...rest]);
}

/** The newest emails first, at most `limit`. */
export async function listRecentMail(d1: D1Database, limit: number): Promise<DevMailRow[]> {
  return getDb(d1)
    .select()
    .from(devMail)
    .orderBy(desc(devMail.createdAt), desc(sql`rowid`))
    .limit(limit)
    .all();
}

/** The HTML body of one email, or null. */
export async function getMailHtml(d1: D1Database, id: string): Promise<string | null> {
  const row = await getDb(d1)
    .select({ html: devMail.htmlBody })
    .from(devMail)
    .where(eq(devMail.id, id))
    .get();
  return row?.html ?? null;
}
